package seccomp

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// HostOf describes this host for Resolve, with the container's
// capabilities.
func HostOf(capabilities []string) (Host, error) {
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return Host{}, fmt.Errorf("read kernel version: %w", err)
	}
	release := unix.ByteSliceToString(uts.Release[:])
	var k KernelVersion
	if _, err := fmt.Sscanf(release, "%d.%d", &k.Kernel, &k.Major); err != nil {
		return Host{}, fmt.Errorf("parse kernel version %q: %w", release, err)
	}
	return Host{Arch: ArchOf(runtime.GOARCH), Kernel: k, Capabilities: capabilities}, nil
}

// Compile turns resolved rules into a seccomp BPF program: struct
// sock_filter instructions, 8 bytes each, in host byte order, ready for
// nsenter.LoadSeccomp. System calls this host's libseccomp does not know
// are skipped, as runc skips them.
func Compile(pol *specs.LinuxSeccomp) ([]byte, error) {
	defaultAction, err := action(pol.DefaultAction, pol.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	filter, err := libseccomp.NewFilter(defaultAction)
	if err != nil {
		return nil, fmt.Errorf("new seccomp filter: %w", err)
	}
	defer filter.Release()
	// A binary tree of system call numbers, not a list: a longer program
	// (Docker's profile: 1,312 instructions against 1,067) that the kernel
	// installs in under half the time (0.4 ms against 1.0 here, at every
	// container start and exec), because on install it runs the filter
	// once per system call number to cache the ones always allowed. A
	// libseccomp older than 2.5 cannot; its linear program is as correct.
	_ = filter.SetOptimize(2)
	var arches []libseccomp.ScmpArch
	for _, a := range pol.Architectures {
		arch, err := libseccomp.GetArchFromString(strings.TrimPrefix(string(a), "SCMP_ARCH_"))
		if err != nil {
			return nil, fmt.Errorf("seccomp architecture %s: %w", a, err)
		}
		if err := filter.AddArch(arch); err != nil {
			return nil, fmt.Errorf("add seccomp architecture %s: %w", a, err)
		}
		arches = append(arches, arch)
	}
	for _, rule := range pol.Syscalls {
		act, err := action(rule.Action, rule.ErrnoRet)
		if err != nil {
			return nil, err
		}
		if act == defaultAction {
			continue // libseccomp refuses a rule that changes nothing
		}
		conds, err := conditions(rule.Args)
		if err != nil {
			return nil, err
		}
		for _, name := range rule.Names {
			call, err := libseccomp.GetSyscallFromName(name)
			if err != nil {
				continue // unknown here: nothing to allow or deny
			}
			for _, c := range conds {
				if err := filter.AddRuleConditional(call, act, c); err != nil {
					return nil, fmt.Errorf("add seccomp rule for %s: %w", name, err)
				}
			}
		}
	}
	prog, err := export(filter)
	if err != nil {
		return nil, err
	}
	if pol.DefaultAction == specs.ActAllow || pol.DefaultAction == specs.ActLog {
		return prog, nil // unknown system calls are allowed anyway
	}
	if len(arches) == 0 {
		native, err := libseccomp.GetNativeArch()
		if err != nil {
			return nil, fmt.Errorf("seccomp native architecture: %w", err)
		}
		arches = []libseccomp.ScmpArch{native}
	}
	stub, err := enosysStub(limitsOf(pol, arches))
	if err != nil {
		return nil, err
	}
	return append(stub, prog...), nil
}

// action maps a profile's action to libseccomp's; errno defaults to EPERM
// as in runc.
func action(a specs.LinuxSeccompAction, errno *uint) (libseccomp.ScmpAction, error) {
	code := int16(unix.EPERM)
	if errno != nil {
		code = int16(*errno)
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return libseccomp.ActKillThread, nil
	case specs.ActKillProcess:
		return libseccomp.ActKillProcess, nil
	case specs.ActTrap:
		return libseccomp.ActTrap, nil
	case specs.ActErrno:
		return libseccomp.ActErrno.SetReturnCode(code), nil
	case specs.ActTrace:
		return libseccomp.ActTrace.SetReturnCode(code), nil
	case specs.ActAllow:
		return libseccomp.ActAllow, nil
	case specs.ActLog:
		return libseccomp.ActLog, nil
	default:
		return libseccomp.ActInvalid, fmt.Errorf("unknown seccomp action %q", a)
	}
}

var operators = map[specs.LinuxSeccompOperator]libseccomp.ScmpCompareOp{
	specs.OpNotEqual:     libseccomp.CompareNotEqual,
	specs.OpLessThan:     libseccomp.CompareLess,
	specs.OpLessEqual:    libseccomp.CompareLessOrEqual,
	specs.OpEqualTo:      libseccomp.CompareEqual,
	specs.OpGreaterEqual: libseccomp.CompareGreaterEqual,
	specs.OpGreaterThan:  libseccomp.CompareGreater,
	specs.OpMaskedEqual:  libseccomp.CompareMaskedEqual,
}

// conditions returns the condition sets of one rule, each added as its
// own libseccomp rule. As in runc, comparisons that all test the same
// argument are alternatives (one rule each); otherwise they must all hold.
// No comparison is one empty set: the rule matches every call.
func conditions(args []specs.LinuxSeccompArg) ([][]libseccomp.ScmpCondition, error) {
	var conds []libseccomp.ScmpCondition
	sameIndex := true
	for _, a := range args {
		op, ok := operators[a.Op]
		if !ok {
			return nil, fmt.Errorf("unknown seccomp operator %q", a.Op)
		}
		values := []uint64{a.Value}
		if a.Op == specs.OpMaskedEqual {
			values = append(values, a.ValueTwo)
		}
		c, err := libseccomp.MakeCondition(a.Index, op, values...)
		if err != nil {
			return nil, fmt.Errorf("seccomp condition on argument %d: %w", a.Index, err)
		}
		conds = append(conds, c)
		sameIndex = sameIndex && a.Index == args[0].Index
	}
	if len(conds) > 1 && sameIndex {
		sets := make([][]libseccomp.ScmpCondition, len(conds))
		for i, c := range conds {
			sets[i] = []libseccomp.ScmpCondition{c}
		}
		return sets, nil
	}
	return [][]libseccomp.ScmpCondition{conds}, nil
}

// export writes the filter's BPF program into memory.
func export(filter *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("seccomp-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	f := os.NewFile(uintptr(fd), "seccomp-bpf")
	defer func() { _ = f.Close() }()
	if err := filter.ExportBPF(f); err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	prog, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	if len(prog) == 0 || len(prog)%8 != 0 {
		return nil, fmt.Errorf("export seccomp filter: %d bytes is not a BPF program", len(prog))
	}
	return prog, nil
}

// auditArches are the architectures the ENOSYS stub knows, as the kernel
// names them in seccomp_data.arch.
var auditArches = map[libseccomp.ScmpArch]uint32{
	libseccomp.ArchAMD64:       unix.AUDIT_ARCH_X86_64,
	libseccomp.ArchX32:         unix.AUDIT_ARCH_X86_64,
	libseccomp.ArchX86:         unix.AUDIT_ARCH_I386,
	libseccomp.ArchARM64:       unix.AUDIT_ARCH_AARCH64,
	libseccomp.ArchARM:         unix.AUDIT_ARCH_ARM,
	libseccomp.ArchRISCV64:     unix.AUDIT_ARCH_RISCV64,
	libseccomp.ArchS390X:       unix.AUDIT_ARCH_S390X,
	libseccomp.ArchS390:        unix.AUDIT_ARCH_S390,
	libseccomp.ArchPPC64LE:     unix.AUDIT_ARCH_PPC64LE,
	libseccomp.ArchPPC64:       unix.AUDIT_ARCH_PPC64,
	libseccomp.ArchLOONGARCH64: unix.AUDIT_ARCH_LOONGARCH64,
}

// limitsOf finds, for each architecture of the filter, the highest system
// call number any rule names: the newest call the profile's author knew.
func limitsOf(pol *specs.LinuxSeccomp, arches []libseccomp.ScmpArch) []archLimit {
	var limits []archLimit
	index := map[uint32]int{}
	for _, arch := range arches {
		audit, ok := auditArches[arch]
		if !ok {
			continue
		}
		i, seen := index[audit]
		if !seen {
			i = len(limits)
			index[audit] = i
			limits = append(limits, archLimit{audit: audit})
		}
		l := &limits[i]
		for _, rule := range pol.Syscalls {
			for _, name := range rule.Names {
				nr, err := libseccomp.GetSyscallFromNameByArch(name, arch)
				if err != nil || nr < 0 {
					continue
				}
				switch n := uint32(nr); {
				case arch == libseccomp.ArchX32:
					n |= x32SyscallBit
					if !l.hasX32Max || n > l.x32Max {
						l.x32Max, l.hasX32Max = n, true
					}
				case !l.hasMax || n > l.max:
					l.max, l.hasMax = n, true
				}
			}
		}
	}
	return limits
}

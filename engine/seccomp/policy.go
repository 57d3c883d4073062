// Package seccomp decides which system calls a container may make, as
// Docker does: Docker's default profile unless the user gives
// --security-opt seccomp=unconfined or seccomp=PROFILE.json (docker's JSON
// format), nothing for --privileged.
//
// Two steps, kept apart, and a cache:
//
//   - Resolve (policy.go, pure, table-tested) turns a profile, the
//     container's capabilities and the host's architecture and kernel
//     version into the runtime-spec's list of rules: it applies the
//     profile's includes and excludes and picks the architectures.
//   - Compile (compile_linux.go) turns those rules into the classic BPF
//     program the kernel runs, with libseccomp (as runc does), and puts
//     runc's ENOSYS stub in front of it: a system call newer than any the
//     profile names fails with ENOSYS, not EPERM, so that a newer libc
//     falls back to the older call instead of giving up.
//   - Cache (cache_linux.go) keeps compiled programs in the run root:
//     libseccomp needs about 20 ms for Docker's profile, a cached program
//     is one small file read. The engine compiles in the shim, the exec
//     launcher and the build runner, never inside a container.
//
// Loading the program is nsenter.LoadSeccomp's job, in the container's
// init and in exec, just before the user's command. Parse reads and checks
// a user's profile when the container is created, so that a bad file is
// an error then, not at start.
package seccomp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	moby "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Profile is a docker-format seccomp profile.
type Profile = moby.Seccomp

// KernelVersion is a kernel's version and major revision, as a profile's
// minKernel names it ("4.8").
type KernelVersion = moby.KernelVersion

// Default returns Docker's default profile.
func Default() *Profile { return moby.DefaultProfile() }

// Host is what a profile's rules are resolved against.
type Host struct {
	// Arch is the host's architecture as profiles name it in includes and
	// excludes: libseccomp's names, "amd64", "arm64", "x86", "s390x", ….
	Arch string
	// Kernel is the running kernel's version, for minKernel.
	Kernel KernelVersion
	// Capabilities is the container's capability set (CAP_ names), for
	// includes.caps and excludes.caps.
	Capabilities []string
}

// archOfGo maps GOARCH to the architecture name profiles use, and the
// runtime-spec's name of that architecture for archMap.
var archOfGo = map[string]struct {
	name string
	spec specs.Arch
}{
	"386":     {"x86", specs.ArchX86},
	"amd64":   {"amd64", specs.ArchX86_64},
	"arm":     {"arm", specs.ArchARM},
	"arm64":   {"arm64", specs.ArchAARCH64},
	"loong64": {"loongarch64", specs.ArchLOONGARCH64},
	"mips64":  {"mips64", specs.ArchMIPS64},
	"ppc64":   {"ppc64", specs.ArchPPC64},
	"ppc64le": {"ppc64le", specs.ArchPPC64LE},
	"riscv64": {"riscv64", specs.ArchRISCV64},
	"s390x":   {"s390x", specs.ArchS390X},
}

// ArchOf returns the profile name of the architecture Go calls goarch
// (runtime.GOARCH), or "" when profiles have no name for it.
func ArchOf(goarch string) string { return archOfGo[goarch].name }

// Parse reads a docker-format profile and checks what Docker and runc
// would refuse: unknown actions, operators and architectures, rules
// without a name, both name and names, both architectures and archMap,
// argument indexes past 5; flags and listenerPath, which berth does not
// support, are refused too. It does not resolve syscall names: Compile
// skips names this host does not know, as runc does.
func Parse(data []byte) (*Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode seccomp profile: %w", err)
	}
	if err := check(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

var knownActions = []specs.LinuxSeccompAction{
	specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
	specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog,
}

var knownOperators = []specs.LinuxSeccompOperator{
	specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
	specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
}

func check(p *Profile) error {
	if p.DefaultAction == "" && len(p.Syscalls) > 0 {
		return fmt.Errorf("seccomp profile: defaultAction is missing")
	}
	if p.DefaultAction != "" && !slices.Contains(knownActions, p.DefaultAction) {
		return fmt.Errorf("seccomp profile: unknown defaultAction %q", p.DefaultAction)
	}
	if len(p.Architectures) != 0 && len(p.ArchMap) != 0 {
		return fmt.Errorf("seccomp profile: both architectures and archMap are given, use one")
	}
	if len(p.Flags) != 0 || p.ListenerPath != "" {
		return fmt.Errorf("seccomp profile: flags and listenerPath are not supported")
	}
	if len(p.LinuxSeccomp.Syscalls) != 0 {
		return fmt.Errorf("seccomp profile: rules must be in syscalls")
	}
	for _, a := range p.Architectures {
		if !knownArch(a) {
			return fmt.Errorf("seccomp profile: unknown architecture %q", a)
		}
	}
	for _, m := range p.ArchMap {
		for _, a := range append([]specs.Arch{m.Arch}, m.SubArches...) {
			if !knownArch(a) {
				return fmt.Errorf("seccomp profile: unknown architecture %q", a)
			}
		}
	}
	for i, s := range p.Syscalls {
		if s == nil {
			return fmt.Errorf("seccomp profile: syscalls[%d] is null", i)
		}
		if legacyName(s) != "" && len(s.Names) != 0 {
			return fmt.Errorf("seccomp profile: syscalls[%d] has both name and names, use one", i)
		}
		if legacyName(s) == "" && len(s.Names) == 0 {
			return fmt.Errorf("seccomp profile: syscalls[%d] names no system call", i)
		}
		if !slices.Contains(knownActions, s.Action) {
			return fmt.Errorf("seccomp profile: syscalls[%d]: unknown action %q", i, s.Action)
		}
		for _, a := range s.Args {
			if a.Index > 5 {
				return fmt.Errorf("seccomp profile: syscalls[%d]: argument index %d is past 5", i, a.Index)
			}
			if !slices.Contains(knownOperators, a.Op) {
				return fmt.Errorf("seccomp profile: syscalls[%d]: unknown operator %q", i, a.Op)
			}
		}
	}
	return nil
}

// knownArch reports whether a is an architecture libseccomp knows.
func knownArch(a specs.Arch) bool {
	switch a {
	case specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
		specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
		specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
		specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X, specs.ArchPARISC,
		specs.ArchPARISC64, specs.ArchRISCV64, specs.ArchLOONGARCH64:
		return true
	default:
		return false
	}
}

// legacyName is a rule's single "name", which Docker's profiles still
// accept beside "names".
func legacyName(s *moby.Syscall) string {
	return s.Name //nolint:staticcheck // SA1019: deprecated, and still part of the profile format
}

// Resolve turns a profile into the rules in force for a container on host:
// rules whose includes do not all hold, or one of whose excludes holds, are
// left out; archMap becomes the list of the host architecture and its
// sub-architectures. A profile with neither a default action nor rules
// means no filter, as in Docker: Resolve returns nil. p is not changed.
func Resolve(p *Profile, host Host) (*specs.LinuxSeccomp, error) {
	if p == nil || (p.DefaultAction == "" && len(p.Syscalls) == 0) {
		return nil, nil
	}
	if err := check(p); err != nil {
		return nil, err
	}
	out := &specs.LinuxSeccomp{
		DefaultAction:   p.DefaultAction,
		DefaultErrnoRet: p.DefaultErrnoRet,
		Architectures:   slices.Clone(p.Architectures),
	}
	var hostSpec specs.Arch
	for _, a := range archOfGo {
		if a.name == host.Arch {
			hostSpec = a.spec
		}
	}
	for _, m := range p.ArchMap {
		if m.Arch == hostSpec {
			out.Architectures = append(append(out.Architectures, m.Arch), m.SubArches...)
			break
		}
	}
	for _, s := range p.Syscalls {
		if !applies(s, host) {
			continue
		}
		rule := s.LinuxSyscall
		rule.Names = slices.Clone(s.Names)
		if name := legacyName(s); name != "" {
			rule.Names = []string{name}
		}
		rule.Args = slices.Clone(s.Args)
		out.Syscalls = append(out.Syscalls, rule)
	}
	return out, nil
}

// applies reports whether rule s is in force on host.
func applies(s *moby.Syscall, host Host) bool {
	if ex := s.Excludes; ex != nil {
		if slices.Contains(ex.Arches, host.Arch) {
			return false
		}
		for _, c := range ex.Caps {
			if slices.Contains(host.Capabilities, c) {
				return false
			}
		}
		if ex.MinKernel != nil && kernelAtLeast(host.Kernel, *ex.MinKernel) {
			return false
		}
	}
	if in := s.Includes; in != nil {
		if len(in.Arches) > 0 && !slices.Contains(in.Arches, host.Arch) {
			return false
		}
		for _, c := range in.Caps {
			if !slices.Contains(host.Capabilities, c) {
				return false
			}
		}
		if in.MinKernel != nil && !kernelAtLeast(host.Kernel, *in.MinKernel) {
			return false
		}
	}
	return true
}

// kernelAtLeast compares version and major revision only, as Docker does.
func kernelAtLeast(have, want KernelVersion) bool {
	if have.Kernel != want.Kernel {
		return have.Kernel > want.Kernel
	}
	return have.Major >= want.Major
}

package seccomp

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// x32SyscallBit marks an x32 system call on AUDIT_ARCH_X86_64.
const x32SyscallBit = 0x40000000

// archLimit is the highest system call number a profile names on one
// architecture (as the kernel reports it in seccomp_data.arch).
type archLimit struct {
	audit uint32
	// max is the highest native number; hasMax is false when the profile
	// names none.
	max    uint32
	hasMax bool
	// x32Max is the highest x32 number (with x32SyscallBit), for
	// AUDIT_ARCH_X86_64 when the profile covers x32.
	x32Max    uint32
	hasX32Max bool
}

// insn is one BPF instruction of the stub; jt, jf and ja name labels.
type insn struct {
	code       uint16
	k          uint32
	jt, jf, ja string
	label      string // the label this instruction carries
}

// Labels of the stub.
const (
	labelMain   = "main"   // the first instruction after the stub
	labelEnosys = "enosys" // return ENOSYS
)

// enosysStub assembles runc's ENOSYS stub for limits: a system call whose
// number is above the highest one the profile names for its architecture
// fails with ENOSYS; everything else goes on to the program after the
// stub. Architectures not in limits go on unchanged.
func enosysStub(limits []archLimit) ([]byte, error) {
	var prog []insn
	add := func(i insn) { prog = append(prog, i) }
	ldArch := insn{code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, k: 4}
	ldNr := insn{code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, k: 0}
	jgt := func(max uint32, label string) insn {
		return insn{code: unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K, k: max, jt: labelEnosys, jf: labelMain, label: label}
	}
	ja := func(target, label string) insn {
		return insn{code: unix.BPF_JMP | unix.BPF_JA, ja: target, label: label}
	}

	add(ldArch)
	for i, l := range limits {
		add(insn{code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, k: l.audit, jt: fmt.Sprintf("arch%d", i)})
	}
	add(ja(labelMain, ""))
	for i, l := range limits {
		ld := ldNr
		ld.label = fmt.Sprintf("arch%d", i)
		add(ld)
		native := ja(labelMain, "")
		if l.hasMax {
			native = jgt(l.max, "")
		}
		if l.audit != unix.AUDIT_ARCH_X86_64 {
			add(native)
			continue
		}
		x32 := fmt.Sprintf("x32-%d", i)
		add(insn{code: unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K, k: x32SyscallBit, jt: x32})
		add(native)
		if l.hasX32Max {
			add(jgt(l.x32Max, x32))
		} else {
			add(ja(labelMain, x32))
		}
	}
	add(insn{code: unix.BPF_RET | unix.BPF_K, k: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS), label: labelEnosys})
	return assemble(prog)
}

// assemble resolves labels into relative jumps and encodes the program as
// struct sock_filter in host byte order. The label "main" is the first
// instruction after prog.
func assemble(prog []insn) ([]byte, error) {
	at := map[string]int{labelMain: len(prog)}
	for i, in := range prog {
		if in.label != "" {
			at[in.label] = i
		}
	}
	offset := func(pc int, label string) (uint32, error) {
		if label == "" {
			return 0, nil
		}
		target, ok := at[label]
		if !ok || target <= pc {
			return 0, fmt.Errorf("seccomp stub: bad jump to %q", label)
		}
		return uint32(target - pc - 1), nil
	}
	out := make([]byte, 0, 8*len(prog))
	for pc, in := range prog {
		k := in.k
		var jt, jf uint32
		var err error
		if in.ja != "" {
			if k, err = offset(pc, in.ja); err != nil {
				return nil, err
			}
		} else {
			if jt, err = offset(pc, in.jt); err != nil {
				return nil, err
			}
			if jf, err = offset(pc, in.jf); err != nil {
				return nil, err
			}
			if jt > 255 || jf > 255 {
				return nil, fmt.Errorf("seccomp stub: jump too far")
			}
		}
		out = binary.NativeEndian.AppendUint16(out, in.code)
		out = append(out, byte(jt), byte(jf))
		out = binary.NativeEndian.AppendUint32(out, k)
	}
	return out, nil
}

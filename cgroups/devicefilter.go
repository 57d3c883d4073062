package cgroups

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// The kernel's view of one device access, as a BPF_PROG_TYPE_CGROUP_DEVICE
// program sees it (struct bpf_cgroup_dev_ctx in <linux/bpf.h>): a u32
// holding the access bits in its upper half and the device type in its
// lower half, then the major and minor numbers. The program returns 1 to
// allow the access and 0 to deny it (EPERM).
const (
	ctxAccessType = 0 // offset of access_type
	ctxMajor      = 4 // offset of major
	ctxMinor      = 8 // offset of minor

	bpfDevBlock = 1 // BPF_DEVCG_DEV_BLOCK
	bpfDevChar  = 2 // BPF_DEVCG_DEV_CHAR
)

// Registers of the program: the context on entry, then the four values
// read from it; R1 is reused as scratch once they are read.
const (
	regCtx     = asm.R1
	regScratch = asm.R1
	regType    = asm.R2
	regAccess  = asm.R3
	regMajor   = asm.R4
	regMinor   = asm.R5
)

// deviceProgram compiles rules into a cgroup v2 device program that
// decides every access as the v1 controller given the same rules would
// (deviceList.allows): after reading the context it tests the reduced
// list's exceptions one block each, and returns the default when none
// applies. DeviceAccess uses the kernel's BPF_DEVCG_ACC_* bit values, so
// access masks go into the program unchanged.
func deviceProgram(rules []DeviceRule) (asm.Instructions, error) {
	l := reduceDeviceRules(rules)
	insns := asm.Instructions{
		asm.LoadMem(regType, regCtx, ctxAccessType, asm.Word),
		asm.And.Imm32(regType, 0xffff),
		asm.LoadMem(regAccess, regCtx, ctxAccessType, asm.Word),
		asm.RSh.Imm32(regAccess, 16),
		asm.LoadMem(regMajor, regCtx, ctxMajor, asm.Word),
		asm.LoadMem(regMinor, regCtx, ctxMinor, asm.Word),
	}
	for i, e := range l.exceptions {
		next := fmt.Sprintf("rule%d", i+1)
		block, err := exceptionBlock(e, l.defaultAllow, next)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			block[0] = block[0].WithSymbol(fmt.Sprintf("rule%d", i))
		}
		insns = append(insns, block...)
	}
	last := asm.Mov.Imm(asm.R0, verdict(l.defaultAllow))
	if n := len(l.exceptions); n > 0 {
		last = last.WithSymbol(fmt.Sprintf("rule%d", n))
	}
	return append(insns, last, asm.Return()), nil
}

// exceptionBlock returns e's test: each part that does not match jumps to
// next; falling through all of them returns e's verdict.
func exceptionBlock(e DeviceRule, defaultAllow bool, next string) (asm.Instructions, error) {
	var typ int32
	switch e.Type {
	case CharDevice:
		typ = bpfDevChar
	case BlockDevice:
		typ = bpfDevBlock
	default:
		return nil, fmt.Errorf("device rule %s: exceptions are of type b or c", e)
	}
	insns := asm.Instructions{asm.JNE.Imm32(regType, typ, next)}
	switch {
	case defaultAllow:
		// A denying exception applies when it takes any part of the
		// access asked for.
		insns = append(insns,
			asm.Mov.Reg32(regScratch, regAccess),
			asm.And.Imm32(regScratch, int32(e.Access)),
			asm.JEq.Imm32(regScratch, 0, next))
	case e.Access != DeviceRWM:
		// An allowing exception applies when it grants all of it.
		insns = append(insns,
			asm.Mov.Reg32(regScratch, regAccess),
			asm.And.Imm32(regScratch, int32(e.Access)),
			asm.JNE.Reg32(regScratch, regAccess, next))
	}
	if e.Major != Wildcard {
		insns = append(insns, asm.JNE.Imm32(regMajor, int32(uint32(e.Major)), next))
	}
	if e.Minor != Wildcard {
		insns = append(insns, asm.JNE.Imm32(regMinor, int32(uint32(e.Minor)), next))
	}
	return append(insns, asm.Mov.Imm(asm.R0, verdict(!defaultAllow)), asm.Return()), nil
}

func verdict(allow bool) int32 {
	if allow {
		return 1
	}
	return 0
}

package seccomp

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestEnosysStub(t *testing.T) {
	stub, err := enosysStub([]archLimit{
		{audit: unix.AUDIT_ARCH_X86_64, max: 10, hasMax: true, x32Max: x32SyscallBit | 20, hasX32Max: true},
		{audit: unix.AUDIT_ARCH_I386, max: 5, hasMax: true},
		{audit: unix.AUDIT_ARCH_AARCH64}, // names nothing there: no limit
	})
	if err != nil {
		t.Fatal(err)
	}
	allowAll, err := assemble([]insn{{code: unix.BPF_RET | unix.BPF_K, k: unix.SECCOMP_RET_ALLOW}})
	if err != nil {
		t.Fatal(err)
	}
	prog := append(stub, allowAll...)
	tests := []struct {
		call
		want uint32
	}{
		{call{name: "x86_64 at the limit", arch: unix.AUDIT_ARCH_X86_64, nr: 10}, retAllow},
		{call{name: "x86_64 past the limit", arch: unix.AUDIT_ARCH_X86_64, nr: 11}, retENOSYS},
		{call{name: "x32 below its limit", arch: unix.AUDIT_ARCH_X86_64, nr: x32SyscallBit | 15}, retAllow},
		{call{name: "x32 past its limit", arch: unix.AUDIT_ARCH_X86_64, nr: x32SyscallBit | 21}, retENOSYS},
		{call{name: "i386 past its limit", arch: unix.AUDIT_ARCH_I386, nr: 6}, retENOSYS},
		{call{name: "i386 within", arch: unix.AUDIT_ARCH_I386, nr: 5}, retAllow},
		{call{name: "aarch64, no limit", arch: unix.AUDIT_ARCH_AARCH64, nr: 999}, retAllow},
		{call{name: "an architecture the stub does not know", arch: unix.AUDIT_ARCH_ARM, nr: 999}, retAllow},
	}
	for _, tt := range tests {
		if got := run(t, prog, tt.call); got != tt.want {
			t.Errorf("%s: %#x, want %#x", tt.name, got, tt.want)
		}
	}
}

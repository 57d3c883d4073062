package seccomp

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCompileDefaultProfile runs the compiled default profile on the
// system calls the attack tests try, and on calls the profile does not
// know (ENOSYS, so that libc falls back).
func TestCompileDefaultProfile(t *testing.T) {
	pol, err := Resolve(Default(), Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: defaultCaps})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(pol)
	if err != nil {
		t.Fatal(err)
	}
	const (
		x86_64 = unix.AUDIT_ARCH_X86_64
		i386   = unix.AUDIT_ARCH_I386
	)
	tests := []struct {
		call
		want uint32
	}{
		{call{name: "read", arch: x86_64, nr: 0}, retAllow},
		{call{name: "keyctl", arch: x86_64, nr: 250}, retEPERM},
		{call{name: "add_key", arch: x86_64, nr: 248}, retEPERM},
		{call{name: "io_uring_setup", arch: x86_64, nr: 425}, retEPERM},
		{call{name: "unshare(CLONE_NEWUSER)", arch: x86_64, nr: 272, args: [6]uint64{unix.CLONE_NEWUSER}}, retEPERM},
		{call{name: "clone(SIGCHLD)", arch: x86_64, nr: 56, args: [6]uint64{uint64(unix.SIGCHLD)}}, retAllow},
		{call{name: "clone(CLONE_NEWUSER)", arch: x86_64, nr: 56, args: [6]uint64{unix.CLONE_NEWUSER | uint64(unix.SIGCHLD)}}, retEPERM},
		{call{name: "clone3", arch: x86_64, nr: 435}, retENOSYS},
		{call{name: "socket(AF_INET)", arch: x86_64, nr: 41, args: [6]uint64{unix.AF_INET}}, retAllow},
		{call{name: "socket(AF_VSOCK)", arch: x86_64, nr: 41, args: [6]uint64{unix.AF_VSOCK}}, retEPERM},
		{call{name: "personality(0)", arch: x86_64, nr: 135}, retAllow},
		{call{name: "personality(READ_IMPLIES_EXEC)", arch: x86_64, nr: 135, args: [6]uint64{0x0400000}}, retEPERM},
		{call{name: "personality with a high word", arch: x86_64, nr: 135, args: [6]uint64{1 << 32}}, retEPERM},
		{call{name: "ptrace", arch: x86_64, nr: 101}, retAllow},
		{call{name: "mount", arch: x86_64, nr: 165}, retEPERM},
		{call{name: "a call newer than the profile", arch: x86_64, nr: 999}, retENOSYS},
		{call{name: "x32 read", arch: x86_64, nr: x32SyscallBit}, retAllow},
		{call{name: "x32 call newer than the profile", arch: x86_64, nr: x32SyscallBit | 999}, retENOSYS},
		{call{name: "i386 keyctl", arch: i386, nr: 288}, retEPERM},
		{call{name: "i386 getpid", arch: i386, nr: 20}, retAllow},
		{call{name: "i386 call newer than the profile", arch: i386, nr: 999}, retENOSYS},
		{call{name: "an architecture not in the profile", arch: unix.AUDIT_ARCH_AARCH64, nr: 63}, unix.SECCOMP_RET_KILL_THREAD},
	}
	for _, tt := range tests {
		if got := run(t, prog, tt.call); got != tt.want {
			t.Errorf("%s: filter returns %#x, want %#x", tt.name, got, tt.want)
		}
	}
}

// TestCompileCustomProfile: a default-allow profile that denies mkdir has
// no ENOSYS stub (unknown calls are allowed anyway) and honours errnoRet.
func TestCompileCustomProfile(t *testing.T) {
	p, err := Parse([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [
			{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"},
			{"index": 1, "value": 15, "op": "SCMP_CMP_EQ"}]},
		{"names": ["no_such_call_anywhere"], "action": "SCMP_ACT_ERRNO"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := Resolve(p, Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(pol)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		call
		want uint32
	}{
		{call{name: "mkdir", arch: unix.AUDIT_ARCH_X86_64, nr: 83}, retEPERM},
		{call{name: "mkdirat", arch: unix.AUDIT_ARCH_X86_64, nr: 258}, unix.SECCOMP_RET_ERRNO | uint32(unix.EACCES)},
		{call{name: "kill(SIGKILL)", arch: unix.AUDIT_ARCH_X86_64, nr: 62, args: [6]uint64{1, 9}}, retEPERM},
		{call{name: "kill(SIGTERM)", arch: unix.AUDIT_ARCH_X86_64, nr: 62, args: [6]uint64{1, 15}}, retEPERM},
		{call{name: "kill(SIGHUP)", arch: unix.AUDIT_ARCH_X86_64, nr: 62, args: [6]uint64{1, 1}}, retAllow},
		{call{name: "keyctl", arch: unix.AUDIT_ARCH_X86_64, nr: 250}, retAllow},
		{call{name: "a new call", arch: unix.AUDIT_ARCH_X86_64, nr: 999}, retAllow},
	}
	for _, tt := range tests {
		if got := run(t, prog, tt.call); got != tt.want {
			t.Errorf("%s: filter returns %#x, want %#x", tt.name, got, tt.want)
		}
	}
}

func TestCacheCompilesOnce(t *testing.T) {
	pol, err := Resolve(Default(), Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: defaultCaps})
	if err != nil {
		t.Fatal(err)
	}
	c := Cache{Dir: t.TempDir()}
	first, err := c.Program(pol)
	if err != nil {
		t.Fatal(err)
	}
	key, err := cacheKey(pol)
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in in the cache proves the second call reads it back.
	stand := []byte{6, 0, 0, 0, 0, 0, 0xff, 0x7f}
	if err := os.WriteFile(filepath.Join(c.Dir, key+".bpf"), stand, 0o600); err != nil {
		t.Fatal(err)
	}
	second, err := c.Program(pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 100 || !bytes.Equal(second, stand) {
		t.Errorf("second Program = %d bytes, want the cached %d", len(second), len(stand))
	}
	other, err := Resolve(Default(), Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: []string{"CAP_SYS_ADMIN"}})
	if err != nil {
		t.Fatal(err)
	}
	if otherKey, _ := cacheKey(other); otherKey == key {
		t.Errorf("another capability set has the same cache key")
	}
}

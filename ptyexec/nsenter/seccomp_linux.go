package nsenter

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// LoadSeccomp installs prog as the calling thread's seccomp filter: a
// classic BPF program of struct sock_filter instructions, 8 bytes each in
// host byte order, as the engine's seccomp package compiles it. An empty
// prog installs nothing (unconfined).
//
// The filter applies to this thread alone, so call it from the locked
// thread that then execs the command: exec keeps it, and the kernel never
// lets it go. Without no_new_privs, installing a filter needs
// CAP_SYS_ADMIN: call it before dropping capabilities then, as runc does,
// and after setting no_new_privs otherwise.
func LoadSeccomp(prog []byte) error {
	if len(prog) == 0 {
		return nil
	}
	n := len(prog) / 8
	if len(prog)%8 != 0 || n > unix.BPF_MAXINSNS {
		return fmt.Errorf("load seccomp filter: %d bytes is not a BPF program", len(prog))
	}
	filter := make([]unix.SockFilter, n)
	for i := range filter {
		b := prog[8*i:]
		filter[i] = unix.SockFilter{
			Code: binary.NativeEndian.Uint16(b),
			Jt:   b[2],
			Jf:   b[3],
			K:    binary.NativeEndian.Uint32(b[4:]),
		}
	}
	fprog := unix.SockFprog{Len: uint16(n), Filter: &filter[0]}
	if _, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog))); e != 0 {
		return fmt.Errorf("load seccomp filter: %w", e)
	}
	return nil
}

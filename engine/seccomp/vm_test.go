package seccomp

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Return values of a seccomp filter, as the kernel reads them.
const (
	retAllow  = unix.SECCOMP_RET_ALLOW
	retEPERM  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	retENOSYS = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

// call is one system call as the filter sees it.
type call struct {
	name string
	arch uint32
	nr   uint32
	args [6]uint64
}

// run executes prog on c in x/net/bpf's VM. The VM loads words big-endian
// where the kernel loads them in host order, so the seccomp_data is laid
// out big-endian word by word: the same numbers at the same offsets.
func run(t *testing.T, prog []byte, c call) uint32 {
	t.Helper()
	raw := make([]bpf.RawInstruction, len(prog)/8)
	for i := range raw {
		b := prog[8*i:]
		raw[i] = bpf.RawInstruction{Op: binary.NativeEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.NativeEndian.Uint32(b[4:])}
	}
	insns, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("program does not disassemble")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("load program: %v", err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[0:], c.nr)
	binary.BigEndian.PutUint32(data[4:], c.arch)
	for i, a := range c.args {
		low, high := 16+8*i, 16+8*i+4
		if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
			low, high = high, low
		}
		binary.BigEndian.PutUint32(data[low:], uint32(a))
		binary.BigEndian.PutUint32(data[high:], uint32(a>>32))
	}
	ret, err := vm.Run(data)
	if err != nil {
		t.Fatalf("run program on %s: %v", c.name, err)
	}
	return uint32(ret)
}

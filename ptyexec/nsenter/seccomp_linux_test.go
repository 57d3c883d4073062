package nsenter

import (
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// denySethostname is a filter that fails sethostname(2) with EPERM and
// allows everything else, assembled by hand.
func denySethostname() []byte {
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_SETHOSTNAME, Jt: 0, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW},
	}
	var b []byte
	for _, in := range prog {
		b = binary.NativeEndian.AppendUint16(b, in.Code)
		b = append(b, in.Jt, in.Jf)
		b = binary.NativeEndian.AppendUint32(b, in.K)
	}
	return b
}

// The exec'd command runs under the filter, installed before the
// capabilities are dropped or, with no_new_privs, last.
func TestEnterSeccomp(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	for _, nnp := range []bool{false, true} {
		cfg := Config{
			Pid:             tg.pid,
			Env:             []string{"PATH=/bin"},
			Capabilities:    []string{"CAP_SYS_ADMIN"},
			NoNewPrivileges: nnp,
			Seccomp:         denySethostname(),
		}
		out, err := runIn(t, cfg, "grep ^Seccomp: /proc/self/status; hostname changed")
		if err == nil || !strings.Contains(out, "Seccomp:\t2") || !strings.Contains(out, "Operation not permitted") {
			t.Errorf("no_new_privs %v: %v, %q; want Seccomp 2 and sethostname refused", nnp, err, out)
		}
	}
	out, err := runIn(t, Config{Pid: tg.pid, Env: []string{"PATH=/bin"}}, "grep ^Seccomp: /proc/self/status")
	if err != nil || !strings.Contains(out, "Seccomp:\t0") {
		t.Errorf("without a filter: %v, %q; want Seccomp 0", err, out)
	}
}

func TestLoadSeccompRefusesGarbage(t *testing.T) {
	if err := LoadSeccomp(make([]byte, 7)); err == nil || !strings.Contains(err.Error(), "not a BPF program") {
		t.Errorf("LoadSeccomp(7 bytes) = %v", err)
	}
}

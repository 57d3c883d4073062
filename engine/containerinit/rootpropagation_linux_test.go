package containerinit

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestRootPropagation: / stays rprivate unless a bind asks for the
// host's mounts (critest's mount propagation specs saw none arrive).
func TestRootPropagation(t *testing.T) {
	bind := func(opts ...string) Mount { return Mount{Type: "bind", Source: "/s", Target: "/t", Options: opts} }
	for _, tc := range []struct {
		mounts []Mount
		want   uintptr
	}{
		{nil, unix.MS_PRIVATE | unix.MS_REC},
		{[]Mount{bind("rbind", "rprivate", "ro")}, unix.MS_PRIVATE | unix.MS_REC},
		{[]Mount{bind("rbind", "rprivate"), bind("rbind", "rslave")}, unix.MS_SLAVE | unix.MS_REC},
		{[]Mount{bind("rbind", "rshared")}, unix.MS_SLAVE | unix.MS_REC},
		{[]Mount{bind("bind", "slave")}, unix.MS_SLAVE | unix.MS_REC},
	} {
		if got := rootPropagation(tc.mounts); got != tc.want {
			t.Errorf("%v: %#x, want %#x", tc.mounts, got, tc.want)
		}
	}
}

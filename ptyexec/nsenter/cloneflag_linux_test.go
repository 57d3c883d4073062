package nsenter

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestCloneFlag(t *testing.T) {
	for _, tc := range []struct {
		ns   Namespace
		want int
	}{
		{IPC, unix.CLONE_NEWIPC},
		{UTS, unix.CLONE_NEWUTS},
		{Net, unix.CLONE_NEWNET},
		{PID, unix.CLONE_NEWPID},
		{Mount, unix.CLONE_NEWNS},
		{"user", 0},
		{"", 0},
	} {
		if got := tc.ns.CloneFlag(); got != tc.want {
			t.Errorf("Namespace(%q).CloneFlag() = %#x, want %#x", tc.ns, got, tc.want)
		}
	}
}

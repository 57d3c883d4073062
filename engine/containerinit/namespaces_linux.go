package containerinit

import (
	"fmt"
	"os/exec"

	"golang.org/x/sys/unix"

	"berth/internal/osthread"
)

// Join is one container's namespaces another enters (see
// StartOptions.Join): Pidfd is a pidfd of that container's PID 1,
// opened and checked by the caller, and Flags the CLONE_NEW* bits of the
// namespaces taken from it (net, pid, ipc).
type Join struct {
	Pidfd int
	Flags uintptr
}

// sharedFlags are the CLONE_NEW* bits of Config.Shared's kinds.
func sharedFlags(shared []string) uintptr {
	var flags uintptr
	for _, kind := range shared {
		flags |= namespaceFlag[kind]
	}
	return flags
}

// namespaceFlag is each kind of Config.Shared's clone flag.
var namespaceFlag = map[string]uintptr{
	"pid": unix.CLONE_NEWPID, "ipc": unix.CLONE_NEWIPC, "uts": unix.CLONE_NEWUTS, "net": unix.CLONE_NEWNET,
}

// startIn starts cmd inside the namespaces joins name. The net, ipc and
// uts namespaces belong to a thread, and a thread's PID namespace for
// children is what its children are born in: so a thread locked for
// this alone enters them by setns(2) on each pidfd (which takes them
// from that very process, never from a PID that was reused), forks the
// child, and is never unlocked, so that the Go runtime ends it with its
// goroutine instead of running other work in those namespaces.
func startIn(cmd *exec.Cmd, joins []Join) error {
	if len(joins) == 0 {
		return cmd.Start()
	}
	return osthread.Discarded(func() error {
		for _, j := range joins {
			if err := unix.Setns(j.Pidfd, int(j.Flags)); err != nil {
				return fmt.Errorf("enter the namespaces of another container: %w", err)
			}
		}
		return cmd.Start()
	})
}

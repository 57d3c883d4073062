package nsenter

import (
	"fmt"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// CloseInheritedFds closes every descriptor above stderr that this
// process inherited from its parent, except keep: the shim and a
// container's init call it first thing, so that nothing their caller held
// open (a shell's `exec 7</etc`, a test's files) lives on in them or
// reaches a container. Inherited descriptors are the ones without
// close-on-exec: every descriptor the Go runtime and os open has it, so
// they are left alone.
func CloseInheritedFds(keep ...int) error {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list inherited fds: %w", err)
	}
	names, err := dir.Readdirnames(-1)
	_ = dir.Close()
	if err != nil {
		return fmt.Errorf("list inherited fds: %w", err)
	}
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd <= 2 || slices.Contains(keep, fd) {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue // the listing's own descriptor, gone by now, or ours
		}
		if err := unix.Close(fd); err != nil {
			return fmt.Errorf("close inherited fd %d: %w", fd, err)
		}
	}
	return nil
}

// CloseFdsOnExec marks every descriptor above stderr close-on-exec, so
// that a command exec'd next inherits only its stdio.
func CloseFdsOnExec() error {
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("mark fds close-on-exec: %w", err)
	}
	return nil
}

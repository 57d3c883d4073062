package engine

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// waitProcessExit returns when the process pid (started at start, as
// processStartTime reports) has exited, or when ctx ends. It watches a
// pidfd, so it needs no polling and cannot be fooled by PID reuse. The
// pidfd waits in the runtime's poller: a waiter holds no thread and
// wakes only when the process exits (a follower of a container's log
// waits so for as long as it follows).
func waitProcessExit(ctx context.Context, pid int, start uint64) error {
	if pid <= 0 {
		return nil
	}
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	if err != nil {
		return waitProcessExitPolling(ctx, pid, start)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer func() { _ = f.Close() }() // a pidfd only read; nothing to lose on close
	if processStartTime(pid) != start {
		return nil // the PID now names another process
	}
	rc, err := f.SyscallConn()
	if err != nil || f.SetReadDeadline(time.Time{}) != nil { // not in the poller
		return waitProcessExitPolling(ctx, pid, start)
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	err = rc.Read(func(fd uintptr) bool { return exited(int(fd)) }) // not yet: wait for the poller's wake-up
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func waitProcessExitPolling(ctx context.Context, pid int, start uint64) error {
	for processStartTime(pid) == start {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

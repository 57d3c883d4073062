package engine

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// waitProcessExit returns when the process pid (started at start, as
// processStartTime reports) has exited, or when ctx ends. It watches a
// pidfd, so it needs no polling and cannot be fooled by PID reuse.
func waitProcessExit(ctx context.Context, pid int, start uint64) error {
	if pid <= 0 {
		return nil
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	if err != nil {
		return waitProcessExitPolling(ctx, pid, start)
	}
	defer func() { _ = unix.Close(fd) }()
	if processStartTime(pid) != start {
		return nil // the PID now names another process
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		timeout := 100 * time.Millisecond
		if d, ok := ctx.Deadline(); ok {
			timeout = min(timeout, max(time.Until(d), time.Millisecond))
		}
		n, err := unix.Poll(fds, int(timeout/time.Millisecond))
		if n > 0 {
			return nil
		}
		if err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
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

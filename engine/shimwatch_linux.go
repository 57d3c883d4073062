package engine

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// shimWatch answers "does this shim still run" for a process that asks
// it again and again (a TUI reads the stats of the containers on screen
// each second, and lists them all every 30 s). The first answer for a shim reads
// /proc/PID/stat, as processStartTime does, and keeps a pidfd on it;
// later ones poll the pidfd: one system call instead of an open, reads
// and a close of a file the kernel writes out, and PID reuse cannot
// fool it (the pidfd is the process, not its number).
type shimWatch struct {
	mu  sync.Mutex
	fds map[shimKey]int
}

// shimKey is one process: a PID and its start time.
type shimKey struct {
	pid   int
	start uint64
}

// maxWatchedShims bounds the pidfds a long-lived process keeps.
const maxWatchedShims = 1024

// alive reports whether the process pid that started at start (clock
// ticks since boot) runs: true exactly when processStartTime(pid) ==
// start, a zombie counting as gone.
func (w *shimWatch) alive(pid int, start uint64) bool {
	if pid <= 0 {
		return processStartTime(pid) == start
	}
	k := shimKey{pid, start}
	if alive, known := w.poll(k); known {
		return alive
	}
	// The pidfd first, the start time second: if the start time matches,
	// the process that held pid when the pidfd was taken is the shim.
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		// ESRCH: gone; anything else (no pidfds here): the file.
		return !errors.Is(err, unix.ESRCH) && processStartTime(pid) == start
	}
	if processStartTime(pid) != start {
		_ = unix.Close(fd)
		return false
	}
	w.keep(k, fd)
	return true
}

func (w *shimWatch) keep(k shimKey, fd int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old, ok := w.fds[k]; ok {
		_ = unix.Close(old) // another caller watched it meanwhile
	}
	if w.fds == nil || len(w.fds) >= maxWatchedShims {
		for _, fd := range w.fds {
			_ = unix.Close(fd) // forget removed containers' too
		}
		w.fds = make(map[shimKey]int)
	}
	w.fds[k] = fd
}

// poll answers for a shim watched already (known), under the lock, so
// that no pidfd is closed while it is polled.
func (w *shimWatch) poll(k shimKey) (alive, known bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fd, ok := w.fds[k]
	if !ok {
		return false, false
	}
	if exited(fd) {
		delete(w.fds, k)
		_ = unix.Close(fd)
		return false, true
	}
	return true, true
}

// exited reports whether the process of pidfd fd has exited (a pidfd
// polls readable then). A poll that fails says nothing: not exited.
func exited(fd int) bool {
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(p, 0)
	return err == nil && n > 0 && p[0].Revents != 0
}

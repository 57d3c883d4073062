package jsonlog

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// dirWatch reports changes to the files of a directory (written, created,
// renamed, removed) through inotify, read through the runtime's poller so
// a blocked wait costs no thread.
type dirWatch struct {
	f   *os.File
	buf []byte
}

// watchDir watches dir. It returns nil when inotify is unavailable (e.g.
// the per-user instance limit is reached): callers then poll.
func watchDir(dir string) *dirWatch {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil
	}
	const mask = unix.IN_MODIFY | unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_DELETE
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		_ = unix.Close(fd)
		return nil
	}
	return &dirWatch{f: os.NewFile(uintptr(fd), "inotify:"+dir), buf: make([]byte, 64<<10)}
}

// wait blocks until a change is reported or the deadline passes. It takes every change queued so far in one read: while
// no one waits the kernel keeps them, merging repeats of the same change,
// so a burst of writes costs one wake-up. After close it fails at once.
func (w *dirWatch) wait(deadline time.Time) error {
	if err := w.f.SetReadDeadline(deadline); err != nil {
		return fmt.Errorf("wait for %s: %w", w.f.Name(), err)
	}
	if _, err := w.f.Read(w.buf); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("wait for %s: %w", w.f.Name(), err)
	}
	return nil
}

// close ends the watch, and a wait blocked on it; safe to call from
// another goroutine and more than once.
func (w *dirWatch) close() {
	_ = w.f.Close() // a second close fails harmlessly; nothing was written
}

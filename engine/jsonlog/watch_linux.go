package jsonlog

import (
	"os"

	"golang.org/x/sys/unix"
)

// watchDir returns a channel that receives after files in dir change
// (written, created, renamed, removed) and a function that stops watching.
// It uses inotify through the runtime's poller, so a blocked read costs no
// thread and stop wakes it. When inotify is unavailable (e.g. the
// per-user instance limit is reached) the channel is nil and callers rely
// on their poll interval.
func watchDir(dir string) (<-chan struct{}, func()) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, func() {}
	}
	const mask = unix.IN_MODIFY | unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_DELETE
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		_ = unix.Close(fd)
		return nil, func() {}
	}
	f := os.NewFile(uintptr(fd), "inotify:"+dir)
	ch := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := f.Read(buf); err != nil {
				return
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, func() { _ = f.Close() } // closing ends the reader goroutine; nothing was written
}

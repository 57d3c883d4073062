// Package osthread runs work on an OS thread that is thrown away after it,
// for code that changes a thread's state (setns into another namespace,
// unshare) which no other goroutine may ever run with.
package osthread

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Discarded runs fn on an OS thread of its own and returns its error. The
// thread stays locked to fn's goroutine and is never unlocked, so the Go
// runtime ends it with the goroutine instead of scheduling other work on
// it in whatever state fn left it.
//
// fn never runs on the process's main thread: the runtime cannot end
// that one (it parks it for good instead), and /proc/self names it, so a
// namespace it joined would become what the whole process reports as its
// own (/proc/self/ns/net, /proc/self/mountinfo).
func Discarded(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			done <- fn() // the thread is never unlocked: it ends here
			return
		}
		// On the main thread: run fn on another one. While this goroutine
		// holds the main thread locked, no other goroutine runs on it.
		inner := make(chan error, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			inner <- fn()
		}()
		err := <-inner
		runtime.UnlockOSThread() // the main thread is as it was
		done <- err
	}()
	return <-done
}

// Package osthread runs work on an OS thread that is thrown away after it,
// for code that changes a thread's state (setns into another namespace,
// unshare) which no other goroutine may ever run with.
package osthread

import "runtime"

// Discarded runs fn on an OS thread of its own and returns its error. The
// thread stays locked to fn's goroutine and is never unlocked, so the Go
// runtime ends it with the goroutine instead of scheduling other work on
// it in whatever state fn left it.
func Discarded(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		done <- fn()
	}()
	return <-done
}

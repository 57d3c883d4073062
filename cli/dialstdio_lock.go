package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockServiceStart makes the dial-stdio processes that find no service
// on sock start one at a time: the first starts it and records its PID
// in api.pid; the others, let in once it answers, find it there.
// Without it, several connections at once (the full-screen program opens
// a few) each start a service, all but one exit, and api.pid may name
// one that exited. The returned function releases the lock.
func lockServiceStart(sock string) (func(), error) {
	dir := filepath.Dir(sock)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dial-stdio: start the service: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "api.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dial-stdio: start the service: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close() // the lock was not taken; the error below says why
		return nil, fmt.Errorf("dial-stdio: lock %s: %w", f.Name(), err)
	}
	return func() { _ = f.Close() }, nil // closing releases the lock
}

package network

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lock takes the store's exclusive lock; the returned func releases it.
// Closing the file releases the flock, so a process that dies holding it
// blocks nobody.
func (m *Manager) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(m.opts.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock network store: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock network store: %w", err)
	}
	return func() { f.Close() }, nil
}

package images

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lock takes the store's exclusive lock. Every mutation of references,
// image records, layers or container layers happens under it. flock locks
// belong to the open file, so goroutines of one process exclude each other
// as separate processes do.
func (s *Store) lock() (unlock func(), err error) {
	f, err := os.OpenFile(s.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock image store: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock image store: %w", err)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}

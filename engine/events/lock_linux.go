package events

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// withLock runs fn holding an exclusive or shared flock on the lock file
// name. The file is opened for each call: flock excludes open file
// descriptions, not goroutines, so two goroutines sharing one descriptor
// would not exclude each other.
func withLock(name string, exclusive bool, fn func() error) error {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open lock: %w", err)
	}
	defer func() { _ = f.Close() }() // closing the last descriptor releases the lock
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return fn()
}

// fileID returns the inode and size of name; a missing file is (0, 0).
func fileID(name string) (ino uint64, size int64, err error) {
	st, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("stat %s: %w", name, err)
	}
	return inode(st), st.Size(), nil
}

func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

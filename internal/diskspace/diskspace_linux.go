package diskspace

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Free is the space, in bytes, an unprivileged process may still write on
// the filesystem holding path (statfs's f_bavail).
func Free(path string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	return int64(st.Bavail) * st.Bsize, nil
}

// Ensure allocates the reserve file when it holds fewer blocks than its
// size: the data root is too full when that fails. It costs one stat when
// the reserve is whole.
func (r *Reserve) Ensure() error {
	if st, err := os.Stat(r.path); err == nil && allocated(st) >= r.size {
		return nil
	}
	f, err := r.lock()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // drops the lock; allocate reports what failed
	return r.allocate(f)
}

func allocated(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return 0
}

// lock opens the reserve file, creating it empty, and takes its lock,
// which closing the file drops.
func (r *Reserve) lock() (*os.File, error) {
	f, err := os.OpenFile(r.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open space reserve: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close() // never locked
		return nil, fmt.Errorf("lock space reserve %s: %w", r.path, err)
	}
	return f, nil
}

// allocate gives the locked reserve file its size in real blocks.
func (r *Reserve) allocate(f *os.File) error {
	var err error
	for {
		err = unix.Fallocate(int(f.Fd()), 0, 0, r.size)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("allocate space reserve %s: %w", r.path, err)
	}
	return nil
}

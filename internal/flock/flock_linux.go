// Package flock takes the exclusive file locks that serialise berth's
// processes (CLIs, TUI, shims) around a store's read-modify-write. The lock
// belongs to the open file: goroutines exclude each other as processes do,
// and a process that dies holding it blocks nobody.
package flock

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Lock takes the exclusive lock of the file at path, creating it if
// needed; call unlock to release it. Unlocking closes the file, which
// releases the lock even when close reports an error; the file holds no data.
// A lock file removed (or replaced) while Lock waited for it locks nothing:
// Lock then opens the path again, so that two holders never hold
// different files of one path (the error is the open's when the path's
// directory went with it).
func Lock(path string) (unlock func(), err error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		for {
			err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
			if !errors.Is(err, unix.EINTR) {
				break
			}
		}
		if err != nil {
			_ = f.Close() // never locked, nothing written
			return nil, &os.PathError{Op: "flock", Path: path, Err: err}
		}
		if stillAt(f, path) {
			return func() { _ = f.Close() }, nil
		}
		_ = f.Close() // a removed file's lock: nothing written
	}
}

// stillAt reports whether path names the file f has open.
func stillAt(f *os.File, path string) bool {
	var held, named unix.Stat_t
	if unix.Fstat(int(f.Fd()), &held) != nil || unix.Stat(path, &named) != nil {
		return false
	}
	return held.Dev == named.Dev && held.Ino == named.Ino
}

// TryLock is Lock that does not wait: ok is false, with no error, when
// another open file (in this process or another) holds the lock.
func TryLock(path string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		_ = f.Close() // never locked, nothing written
		return nil, false, nil
	}
	if err != nil {
		_ = f.Close() // never locked, nothing written
		return nil, false, &os.PathError{Op: "flock", Path: path, Err: err}
	}
	return func() { _ = f.Close() }, true, nil
}

// Held reports whether an open file (of this process or another) holds a
// lock on the file at path, which must exist: unlike Lock and TryLock it
// never creates it.
func Held(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }() // read-only; closing drops a lock taken
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	switch {
	case err == nil:
		return false, nil // closing f lets go of it again
	case errors.Is(err, unix.EWOULDBLOCK):
		return true, nil
	}
	return false, &os.PathError{Op: "flock", Path: path, Err: err}
}

// LockFile takes the exclusive lock of the open file f, waiting for it;
// the lock lasts until f is closed.
func LockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			if err != nil {
				return &os.PathError{Op: "flock", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}

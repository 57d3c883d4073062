package cgroups

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Small file operations on a cgroup filesystem, shared by v1 and v2.

// writeFile writes value into an existing control file. Control files
// are never created: a missing one is the kernel saying "not here".
func writeFile(dir, file, value string) error {
	path := filepath.Join(dir, file)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, err)
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, err)
	}
	return nil
}

// readString reads a control file with surrounding space trimmed.
func readString(dir, file string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// statFile is a control file read on every Stats call: its path is kept
// NUL-terminated so that opening it needs no allocation.
type statFile []byte

func newStatFile(dir, file string) statFile {
	return statFile(filepath.Join(dir, file) + "\x00")
}

// read reads the whole file into buf and returns the part filled. A file
// larger than buf is cut short, which no stat file used here comes near.
func (f statFile) read(buf []byte) ([]byte, error) {
	if len(f) == 0 {
		return nil, fs.ErrNotExist
	}
	dirfd := unix.AT_FDCWD
	r, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd),
		uintptr(unsafe.Pointer(&f[0])), uintptr(unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0)
	if errno != 0 {
		return nil, errno
	}
	fd := int(r)
	defer func() { _ = unix.Close(fd) }() // read-only
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}

// isGone tells whether err means the file or its group is not there (or
// was removed while being read).
func isGone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENODEV)
}

// mkdirAll creates dir and any missing parents below stop (which must
// exist) and returns the directories it created, outermost first.
func mkdirAll(stop, dir string) ([]string, error) {
	rel, err := filepath.Rel(stop, dir)
	if err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", dir, err)
	}
	var created []string
	cur := stop
	for part := range strings.SplitSeq(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		err := os.Mkdir(cur, 0o755)
		switch {
		case err == nil:
			created = append(created, cur)
		case errors.Is(err, fs.ErrExist):
		default:
			removeDirs(created)
			return nil, fmt.Errorf("create cgroup %s: %w", cur, err)
		}
	}
	return created, nil
}

// removeDirs removes freshly created, still empty groups, innermost
// first. It undoes a failed Create, so errors are not reported: a
// directory another container started using in between is left alone.
func removeDirs(dirs []string) {
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = unix.Rmdir(dirs[i])
	}
}

// removeGroup removes dir and any groups below it. Processes that were
// just killed may still be leaving, which makes rmdir fail with EBUSY:
// that is retried until timeout. A group that is already gone is fine.
func removeGroup(dir string, timeout time.Duration) error {
	entries, err := os.ReadDir(dir)
	if isGone(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove cgroup %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeGroup(filepath.Join(dir, e.Name()), timeout); err != nil {
				return err
			}
		}
	}
	deadline := time.Now().Add(timeout)
	delay := time.Millisecond
	for {
		err := unix.Rmdir(dir)
		switch {
		case err == nil, err == unix.ENOENT:
			return nil
		case err == unix.EINTR:
			continue
		case err == unix.EBUSY && time.Now().Before(deadline):
			time.Sleep(delay)
			delay = min(2*delay, 50*time.Millisecond)
			continue
		}
		return fmt.Errorf("remove cgroup %s: %w", dir, err)
	}
}

// readProcs lists the processes in dir and in every group below it.
func readProcs(dir string) ([]int, error) {
	var pids []int
	err := walkGroups(dir, func(d string) error {
		b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if err != nil {
			return err
		}
		ids, err := parsePids(b)
		pids = append(pids, ids...)
		return err
	})
	return pids, err
}

// walkGroups calls fn for dir and every group below it. A group below
// dir that disappears meanwhile is skipped; dir itself must exist.
func walkGroups(dir string, fn func(dir string) error) error {
	if err := fn(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := walkGroups(filepath.Join(dir, e.Name()), fn); err != nil && !isGone(err) {
				return err
			}
		}
	}
	return nil
}

// parsePids parses a cgroup.procs file: one PID a line.
func parsePids(b []byte) ([]int, error) {
	var pids []int
	for f := range bytes.FieldsSeq(b) {
		pid, err := strconv.Atoi(string(f))
		if err != nil {
			return pids, fmt.Errorf("parse cgroup.procs: %w", err)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// addProc moves pid into the group at dir. A process that is still
// being forked cannot move yet (EINVAL): that is retried a few times, as
// runc does.
func addProc(dir string, pid int) error {
	var err error
	for range 5 {
		if err = writeFile(dir, "cgroup.procs", strconv.Itoa(pid)); !errors.Is(err, unix.EINVAL) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

// signalAll sends sig to every pid; processes that already exited are
// not an error.
func signalAll(pids []int, sig unix.Signal) error {
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && err != unix.ESRCH {
			return fmt.Errorf("signal %d: %w", pid, err)
		}
	}
	return nil
}

// pollUntil calls done until it reports true, an error, or timeout.
func pollUntil(timeout time.Duration, done func() (bool, error)) (bool, error) {
	deadline := time.Now().Add(timeout)
	delay := time.Millisecond
	for {
		ok, err := done()
		if ok || err != nil {
			return ok, err
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		time.Sleep(delay)
		delay = min(2*delay, 10*time.Millisecond)
	}
}

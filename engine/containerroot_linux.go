package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"berth/internal/osthread"
)

// A container's root filesystem, for cp and export, is a descriptor of
// a directory: a running container's is its PID 1's root, reached through
// /proc/PID/root, which sees the container's own mounts (volumes, the
// files berth binds in); a stopped container's is its overlay assembled
// as a detached mount (fsopen/fsmount), attached nowhere, so that
// nothing is left mounted whatever happens and it vanishes with the
// last descriptor. Paths inside are then resolved with package archive.

// openProcessRoot opens /proc/PID/root, making sure PID named the same
// process throughout: a pidfd taken first pins it, and the process must
// still be alive once the root is open.
func openProcessRoot(pid int) (*os.File, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("open container root: no process: %w", ErrNotRunning)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("open container root: process %d: %w", pid, err)
	}
	defer func() { _ = unix.Close(pidfd) }()
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open container root of process %d: %w", pid, err)
	}
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("open container root: process %d exited: %w", pid, ErrNotRunning)
	}
	return os.NewFile(uintptr(fd), "/"), nil
}

// mountDetached performs m as a detached mount and returns its root. An
// overlay's relative lowerdirs are resolved in m.Dir: the mount is made
// on a thread of its own that unshared its working directory, chdir'd
// there, and ends with the work (the thread is never handed back to Go).
func mountDetached(m mountSpec) (*os.File, error) {
	if m.Type == "bind" {
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(m.Dir, src)
		}
		fd, err := unix.Open(src, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("open container root %s: %w", src, err)
		}
		return os.NewFile(uintptr(fd), "/"), nil
	}
	var fd int
	if err := osthread.Discarded(func() (err error) { fd, err = fsmount(m); return err }); err != nil {
		return nil, fmt.Errorf("mount container root: %w", err)
	}
	return os.NewFile(uintptr(fd), "/"), nil
}

// fsmount builds m with the new mount API on the calling (locked) thread.
func fsmount(m mountSpec) (int, error) {
	if m.Dir != "" {
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			return -1, fmt.Errorf("unshare working directory: %w", err)
		}
		if err := unix.Chdir(m.Dir); err != nil {
			return -1, fmt.Errorf("chdir to %s: %w", m.Dir, err)
		}
	}
	fsfd, err := unix.Fsopen(m.Type, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("fsopen %s: %w", m.Type, err)
	}
	defer func() { _ = unix.Close(fsfd) }()
	if m.Source != "" {
		if err := unix.FsconfigSetString(fsfd, "source", m.Source); err != nil {
			return -1, fmt.Errorf("%s source %s: %w", m.Type, m.Source, err)
		}
	}
	for _, o := range m.Options {
		k, v, ok := strings.Cut(o, "=")
		if ok {
			err = unix.FsconfigSetString(fsfd, k, v)
		} else {
			err = unix.FsconfigSetFlag(fsfd, k)
		}
		if err != nil {
			return -1, fmt.Errorf("%s option %s: %w", m.Type, o, err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, fmt.Errorf("create %s: %w", m.Type, err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("fsmount %s: %w", m.Type, err)
	}
	return mfd, nil
}

// openRootMount opens a running container's root filesystem without the
// mounts on it (volumes, the files berth binds, /dev, /proc): a detached
// clone of the mount at its root, made from inside its mount namespace
// on a thread of its own that ends with the work (the thread is never
// handed back to Go), so that nothing is looked up in the container but
// its root. As openProcessRoot, a pidfd makes sure PID is the same
// process throughout.
func openRootMount(pid int) (*os.File, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("open container root: no process: %w", ErrNotRunning)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("open container root: process %d: %w", pid, err)
	}
	defer func() { _ = unix.Close(pidfd) }()
	ns, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open mount namespace of process %d: %w", pid, err)
	}
	defer func() { _ = unix.Close(ns) }()
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
		return nil, fmt.Errorf("open container root: process %d exited: %w", pid, ErrNotRunning)
	}
	var fd int
	if err := osthread.Discarded(func() (err error) { fd, err = cloneRootIn(ns); return err }); err != nil {
		return nil, fmt.Errorf("open container root of process %d: %w", pid, err)
	}
	return os.NewFile(uintptr(fd), "/"), nil
}

// cloneRootIn enters the mount namespace ns on the calling (locked)
// thread and clones the mount at its root, without what is mounted below.
func cloneRootIn(ns int) (int, error) {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return -1, fmt.Errorf("unshare working directory: %w", err)
	}
	if err := unix.Setns(ns, unix.CLONE_NEWNS); err != nil {
		return -1, fmt.Errorf("enter mount namespace: %w", err)
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, "/", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("clone root mount: %w", err)
	}
	return fd, nil
}

package containerinit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// subPathMount is the part of mnt, m's detached mount, at m.SubPath: a
// clone of mnt whose root is that path, resolved inside mnt (no symlink
// or .. leads out of it), with mnt's flags. isFile says it is not a
// directory.
func subPathMount(mnt *os.File, m Mount) (sub *os.File, isFile bool, err error) {
	fd, err := unix.Openat2(int(mnt.Fd()), m.SubPath, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS})
	if err != nil {
		return nil, false, fmt.Errorf("sub-path %s of the %s mount at %s: %w", m.SubPath, m.Type, m.Target, err)
	}
	defer func() { _ = unix.Close(fd) }()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, false, fmt.Errorf("sub-path %s of the %s mount at %s: %w", m.SubPath, m.Type, m.Target, err)
	}
	cfd, err := unix.OpenTree(fd, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH)
	if err != nil {
		return nil, false, fmt.Errorf("clone sub-path %s of the %s mount at %s: %w", m.SubPath, m.Type, m.Target, err)
	}
	return os.NewFile(uintptr(cfd), m.Target), st.Mode&unix.S_IFMT != unix.S_IFDIR, nil
}

// CheckSubPath builds m's mount detached (attached nowhere, gone when
// closed) and checks that its SubPath is there: for the engine to
// refuse, at create, a mount of a path its source does not have.
func CheckSubPath(m Mount) error {
	mnt, err := detachedMount(m)
	if err != nil {
		return err
	}
	defer func() { _ = mnt.Close() }()
	sub, _, err := subPathMount(mnt, m)
	if err != nil {
		return err
	}
	return sub.Close()
}

// mountSubPath attaches m's SubPath of its source at m.Target in root.
func mountSubPath(root *os.File, m Mount) error {
	mnt, err := detachedMount(m)
	if err != nil {
		return err
	}
	defer func() { _ = mnt.Close() }()
	sub, isFile, err := subPathMount(mnt, m)
	if err != nil {
		return err
	}
	defer func() { _ = sub.Close() }()
	target, err := mountpoint(root, m.Target, isFile)
	if err != nil {
		return err
	}
	defer func() { _ = target.Close() }()
	return moveOnto(sub, m, target)
}

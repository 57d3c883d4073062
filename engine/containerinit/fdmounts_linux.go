package containerinit

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mounts made on descriptors, never on paths resolved again: a target is
// an O_PATH descriptor from openInRoot or createInRoot. The container's own
// mounts (-v, --tmpfs, the engine's files) and /dev are built detached,
// with the new mount API (open_tree or fsopen/fsmount), their flags and
// propagation set before anyone can see them, and then attached with
// move_mount onto the target descriptor; so are masks and read-only paths,
// after pivot_root, where /proc is the container's. Before it, proc and
// sysfs use mount(2) on the target's /proc/self/fd magic link (the host's
// /proc), as runc does. Linux 5.12 or later (mount_setattr).

// fdPath is the magic link through which mount(2) reaches exactly what f
// holds.
func fdPath(f *os.File) string {
	return "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
}

// mountContainerMount creates m's target inside root (a directory, or an
// empty file when m binds a file) and attaches m there, or tree when not
// nil (m's source cloned already, cloneSharedBinds); with copyUp, an
// empty volume at m.Source is first filled from the target's content.
func mountContainerMount(root *os.File, m Mount, copyUp bool, tree *os.File) error {
	if m.SubPath != "" {
		return mountSubPath(root, m)
	}
	isFile := false
	if m.Type == "bind" {
		fi, err := os.Stat(m.Source)
		if err != nil {
			return fmt.Errorf("bind mount %s: %w", m.Source, err)
		}
		isFile = !fi.IsDir()
	}
	target, err := mountpoint(root, m.Target, isFile)
	if err != nil {
		return err
	}
	defer func() { _ = target.Close() }()
	if copyUp && !isFile {
		if err := copyUpVolume(target, m.Source); err != nil {
			return fmt.Errorf("copy %s into the volume: %w", m.Target, err)
		}
	}
	if tree != nil {
		return moveOnto(tree, m, target)
	}
	mnt, err := attach(m, target)
	if err != nil {
		return err
	}
	return mnt.Close()
}

// mountpoint creates name inside root (a directory, or an empty file)
// and opens it, checked by checkTarget.
func mountpoint(root *os.File, name string, isFile bool) (*os.File, error) {
	target, err := createInRoot(root, name, isFile)
	if err != nil {
		return nil, fmt.Errorf("create mountpoint: %w", err)
	}
	if err := checkTarget(target, name, isFile); err != nil {
		_ = target.Close()
		return nil, err
	}
	return target, nil
}

// checkTarget refuses a target that resolved into the container's /proc
// through a symlink, as CheckMountTarget refuses it by name, and a target
// of the wrong type: a directory for a file, or the other way round.
func checkTarget(target *os.File, name string, file bool) error {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(target.Fd()), &fs); err != nil {
		return fmt.Errorf("statfs mountpoint: %w", err)
	}
	if fs.Type == unix.PROC_SUPER_MAGIC && !procMountAllowed(path.Clean("/"+name)) {
		return fmt.Errorf("%w (through a symlink)", errInsideProc(name))
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(target.Fd()), &st); err != nil {
		return fmt.Errorf("stat mountpoint: %w", err)
	}
	if isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR; isDir == file {
		what := map[bool]string{true: "directory", false: "file"}
		return fmt.Errorf("create mountpoint: cannot mount a %s onto a %s", what[!file], what[isDir])
	}
	return nil
}

// attach builds m detached and moves it onto target. It returns the
// mount's own descriptor, its root, for work inside it.
func attach(m Mount, target *os.File) (*os.File, error) {
	mnt, err := detachedMount(m)
	if err != nil {
		return nil, err
	}
	if err := moveOnto(mnt, m, target); err != nil {
		_ = mnt.Close()
		return nil, err
	}
	return mnt, nil
}

// moveOnto attaches mnt, m's detached mount, on target.
func moveOnto(mnt *os.File, m Mount, target *os.File) error {
	err := unix.MoveMount(int(mnt.Fd()), "", int(target.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("attach %s mount on %s: %w", m.Type, m.Target, err)
	}
	return nil
}

// detachedMount builds m as a mount attached nowhere yet, with its flags
// and propagation set: a bind is a clone of its source's tree, anything
// else a new filesystem instance.
func detachedMount(m Mount) (*os.File, error) {
	o := parseMountOptions(m.Options)
	if m.Type == "bind" {
		return bindTree(m.Source, o)
	}
	return newFilesystem(m, o)
}

// bindTree clones the mount at source (its tree with "rbind"). The flags
// apply to the top mount, "ro" of an rbind to all of them, as docker does
// since 25 (but for "ro-nonrecursive"); propagation is private unless o
// says otherwise, so that nothing mounted in the container reaches the
// host.
func bindTree(source string, o mountOptions) (*os.File, error) {
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	recursive := o.Flags&unix.MS_REC != 0
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, source, uint(flags))
	if err != nil {
		return nil, fmt.Errorf("bind mount %s: %w", source, err)
	}
	tree := os.NewFile(uintptr(fd), source)
	set, clr := mountAttrs(o.Flags)
	top := unix.MountAttr{Attr_set: set, Attr_clr: clr}
	var all unix.MountAttr
	if recursive && o.Flags&unix.MS_RDONLY != 0 && !o.ReadonlyTop {
		all.Attr_set = unix.MOUNT_ATTR_RDONLY
	}
	propagation := o.Propagation
	if propagation == 0 {
		propagation = unix.MS_PRIVATE | unix.MS_REC
	}
	if propagation&unix.MS_REC != 0 {
		all.Propagation = uint64(propagation &^ unix.MS_REC)
	} else {
		top.Propagation = uint64(propagation)
	}
	for _, a := range []struct {
		attr      unix.MountAttr
		recursive bool
	}{{top, false}, {all, true}} {
		if err := setMountAttr(tree, a.attr, a.recursive); err != nil {
			_ = tree.Close()
			return nil, fmt.Errorf("bind mount %s: %w", source, err)
		}
	}
	return tree, nil
}

// setMountAttr applies attr to the mount f is the root of, and to the
// mounts below it when recursive. An empty attr changes nothing.
func setMountAttr(f *os.File, attr unix.MountAttr, recursive bool) error {
	if attr == (unix.MountAttr{}) {
		return nil
	}
	flags := unix.AT_EMPTY_PATH
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	if err := unix.MountSetattr(int(f.Fd()), "", uint(flags), &attr); err != nil {
		return fmt.Errorf("set mount attributes: %w", err)
	}
	return nil
}

// superblockFlags are the MS_ flags that belong to a filesystem instance,
// by fsconfig's name for them.
var superblockFlags = []struct {
	flag uintptr
	name string
}{
	{unix.MS_SYNCHRONOUS, "sync"},
	{unix.MS_DIRSYNC, "dirsync"},
	{unix.MS_MANDLOCK, "mand"},
}

// newFilesystem creates a new instance of m's filesystem and mounts it
// detached: source and data options through fsconfig, flags on the mount.
func newFilesystem(m Mount, o mountOptions) (*os.File, error) {
	fsfd, err := unix.Fsopen(m.Type, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("mount %s on %s: %w", m.Type, m.Target, err)
	}
	defer func() { _ = unix.Close(fsfd) }()
	config := func(opt string) error {
		key, value, hasValue := strings.Cut(opt, "=")
		var err error
		if hasValue {
			err = unix.FsconfigSetString(fsfd, key, value)
		} else {
			err = unix.FsconfigSetFlag(fsfd, key)
		}
		if err != nil {
			return fmt.Errorf("mount %s on %s: option %q: %w", m.Type, m.Target, opt, err)
		}
		return nil
	}
	if m.Source != "" {
		if err := config("source=" + m.Source); err != nil {
			return nil, err
		}
	}
	for _, f := range superblockFlags {
		if o.Flags&f.flag != 0 {
			if err := config(f.name); err != nil {
				return nil, err
			}
		}
	}
	if o.Data != "" {
		for _, opt := range strings.Split(o.Data, ",") {
			if err := config(opt); err != nil {
				return nil, err
			}
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, fmt.Errorf("mount %s on %s: %w", m.Type, m.Target, err)
	}
	set, _ := mountAttrs(o.Flags)
	fd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, int(set))
	if err != nil {
		return nil, fmt.Errorf("mount %s on %s: %w", m.Type, m.Target, err)
	}
	mnt := os.NewFile(uintptr(fd), m.Target)
	if o.Propagation != 0 {
		attr := unix.MountAttr{Propagation: uint64(o.Propagation &^ unix.MS_REC)}
		if err := setMountAttr(mnt, attr, o.Propagation&unix.MS_REC != 0); err != nil {
			_ = mnt.Close()
			return nil, fmt.Errorf("mount %s on %s: %w", m.Type, m.Target, err)
		}
	}
	return mnt, nil
}

// mountOnFd mounts a new instance of fstype on what target holds, with
// mount(2) on its magic link: for mounts that need no second call, made
// before pivot_root.
func mountOnFd(fstype string, target *os.File, name string, flags uintptr, data string) error {
	if err := unix.Mount(fstype, fdPath(target), fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, name, err)
	}
	return nil
}

// readonlyPath makes p, resolved inside root, read-only with the mounts
// below it; a missing p is fine.
func readonlyPath(root *os.File, p string) error {
	target, err := openInRoot(root, p)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("make %s read-only: %w", p, err)
	}
	defer func() { _ = target.Close() }()
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY, Propagation: unix.MS_PRIVATE}
	if err := cloneOnto(target, target, true, attr); err != nil {
		return fmt.Errorf("make %s read-only: %w", p, err)
	}
	return nil
}

// cloneOnto binds what src holds onto target: a clone of its mount (with
// the mounts below when recursive), attr set on all of it before it is
// attached.
func cloneOnto(src, target *os.File, recursive bool, attr unix.MountAttr) error {
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC | unix.AT_EMPTY_PATH
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	fd, err := unix.OpenTree(int(src.Fd()), "", uint(flags))
	if err != nil {
		return fmt.Errorf("clone mount: %w", err)
	}
	tree := os.NewFile(uintptr(fd), src.Name())
	defer func() { _ = tree.Close() }()
	if err := setMountAttr(tree, attr, recursive); err != nil {
		return err
	}
	err = unix.MoveMount(int(tree.Fd()), "", int(target.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("attach mount: %w", err)
	}
	return nil
}

// openNull opens the container's /dev/null for masking and checks that it
// is the null device, char 1:3: a regular file, another device or a
// symlink to a writable file must not be what masks /proc/kcore.
func openNull(root *os.File) (*os.File, error) {
	null, err := openInRoot(root, "/dev/null")
	if err != nil {
		return nil, fmt.Errorf("mask paths: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(null.Fd()), &st); err != nil {
		_ = null.Close()
		return nil, fmt.Errorf("mask paths: stat /dev/null: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) {
		_ = null.Close()
		return nil, fmt.Errorf("mask paths: %w", ErrFakeNull)
	}
	return null, nil
}

// maskPath hides p, resolved inside root: null (from openNull) over a
// file, an empty read-only tmpfs over a directory; a missing p is fine.
func maskPath(root, null *os.File, p string) error {
	target, err := openInRoot(root, p)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	defer func() { _ = target.Close() }()
	var st unix.Stat_t
	if err := unix.Fstat(int(target.Fd()), &st); err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		mnt, err := attach(Mount{Type: "tmpfs", Source: "tmpfs", Target: p, Options: []string{"ro", "size=0"}}, target)
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
		return mnt.Close()
	}
	if err := cloneOnto(null, target, false, unix.MountAttr{}); err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	return nil
}

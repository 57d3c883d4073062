package containerinit

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// device is a character device every container's /dev holds.
type device struct {
	name         string
	major, minor uint32
}

var standardDevices = []device{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

// standardLinks are /dev's symlinks, name to target.
var standardLinks = [][2]string{
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
	{"core", "/proc/kcore"},
	{"ptmx", "pts/ptmx"},
}

// setupRootfs builds the container's root filesystem in the init's new
// mount namespace and makes it /. The steps follow runc's: nothing may
// propagate back to the host, so / becomes rprivate first (rslave when a
// mount asks for the host's, see rootPropagation; a shared bind's source
// is cloned before, cloneSharedBinds). Every path
// inside the root is resolved and created through descriptors
// (rootpath_linux.go) and mounted on (fdmounts_linux.go), never used again
// as a string. On return the working directory is cfg.Cwd.
func setupRootfs(cfg *Config) error {
	shared, err := cloneSharedBinds(cfg.Mounts)
	if err != nil {
		return err
	}
	defer closeTrees(shared)
	if err := unix.Mount("", "/", "", rootPropagation(cfg.Mounts), ""); err != nil {
		return fmt.Errorf("set the propagation of /: %w", err)
	}
	rootMount := cfg.RootMount
	if rootMount.Type == "" {
		rootMount = Mount{Type: "bind", Source: cfg.Rootfs, Options: []string{"rbind"}}
	}
	if err := mountAt(rootMount, cfg.Rootfs); err != nil {
		return fmt.Errorf("mount rootfs: %w", err)
	}
	root, err := openRoot(cfg.Rootfs)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	if err := mountProcAndSys(root, cfg.Privileged); err != nil {
		return err
	}
	dev, err := mountDev(root)
	if err != nil {
		return err
	}
	shmSize := cfg.ShmSize
	if cfg.NoShm {
		shmSize = -1
	}
	err = setupDev(root, fdPath(dev), cfg.Terminal, cfg.Devpts, cfg.Devices, shmSize)
	_ = dev.Close()
	if err != nil {
		return err
	}
	for _, m := range sortMounts(cfg.Mounts) {
		if err := mountContainerMount(root, m, slices.Contains(cfg.CopyUp, m.Target), shared[m.Target]); err != nil {
			return fmt.Errorf("%s mount on %s: %w", m.Type, m.Target, err)
		}
	}
	if err := pivotRoot(cfg.Rootfs); err != nil {
		return err
	}
	return finishRootfs(cfg)
}

// finishRootfs does what follows pivot_root, inside the new /: masked and
// read-only paths, the working directory, a read-only root.
func finishRootfs(cfg *Config) error {
	root, err := openRoot("/")
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	if !cfg.Privileged {
		for _, p := range cfg.ReadonlyPaths {
			if err := readonlyPath(root, p); err != nil {
				return err
			}
		}
		if err := maskPaths(root, cfg.MaskedPaths); err != nil {
			return err
		}
	}
	if cfg.Cwd != "" {
		cwd, err := createInRoot(root, cfg.Cwd, false)
		if err != nil {
			return fmt.Errorf("create cwd %q: %w", cfg.Cwd, err)
		}
		err = unix.Fchdir(int(cwd.Fd()))
		_ = cwd.Close()
		if err != nil {
			return fmt.Errorf("chdir to cwd %q: %w", cfg.Cwd, err)
		}
	}
	if cfg.ReadonlyRootfs {
		if err := remount("/", unix.MS_RDONLY); err != nil {
			return fmt.Errorf("make rootfs read-only: %w", err)
		}
	}
	return nil
}

// maskPaths hides paths with a /dev/null that is checked to be one.
func maskPaths(root *os.File, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	null, err := openNull(root)
	if err != nil {
		return err
	}
	defer func() { _ = null.Close() }()
	for _, p := range paths {
		if err := maskPath(root, null, p); err != nil {
			return err
		}
	}
	return nil
}

// mountAt performs the root mount m on target, the host path berth chose
// for the rootfs (nothing in a container can reach it yet, so a path is
// safe here, and overlay's long lowerdir needs mount(2)). Binds with flags
// beyond bind/rbind ("ro", "nosuid", …) need a second, remounting call.
// With m.Dir the init works in that directory from here on, so that the
// kernel resolves relative lowerdirs in it; pivotRoot moves it on later.
func mountAt(m Mount, target string) error {
	o := parseMountOptions(m.Options)
	if m.Dir != "" {
		if err := unix.Chdir(m.Dir); err != nil {
			return fmt.Errorf("chdir to %s: %w", m.Dir, err)
		}
	}
	if m.Type == "bind" {
		flags := unix.MS_BIND | o.Flags&unix.MS_REC
		if err := unix.Mount(m.Source, target, "", uintptr(flags), ""); err != nil {
			return fmt.Errorf("bind mount %s on %s: %w", m.Source, target, err)
		}
		if extra := o.Flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT); extra != 0 {
			if err := remount(target, extra); err != nil {
				return fmt.Errorf("bind mount %s on %s: %w", m.Source, target, err)
			}
		}
		if o.Flags&(unix.MS_REC|unix.MS_RDONLY) == unix.MS_REC|unix.MS_RDONLY && !o.ReadonlyTop {
			if err := readonlySubmounts(target); err != nil {
				return fmt.Errorf("bind mount %s on %s: %w", m.Source, target, err)
			}
		}
	} else if err := unix.Mount(m.Source, target, m.Type, o.Flags, o.Data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", m.Type, target, err)
	}
	if o.Propagation != 0 {
		if err := unix.Mount("", target, "", o.Propagation, ""); err != nil {
			return fmt.Errorf("set propagation of %s: %w", target, err)
		}
	}
	return nil
}

// remount changes the flags of the bind mount at target, keeping the
// nosuid/nodev/noexec/atime flags it already has.
func remount(target string, flags uintptr) error {
	var st unix.Statfs_t
	if err := unix.Statfs(target, &st); err != nil {
		return fmt.Errorf("statfs %s: %w", target, err)
	}
	kept := uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC |
		unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME)
	if err := unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|kept|flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", target, err)
	}
	return nil
}

// readonlySubmounts makes the mounts below a read-only recursive bind
// read-only too, as docker does since 25 where the kernel can (5.12 and
// later); older kernels leave them as they are, as docker did before.
func readonlySubmounts(target string) error {
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	err := unix.MountSetattr(unix.AT_FDCWD, target, unix.AT_RECURSIVE, &attr)
	if err != nil && !errors.Is(err, unix.ENOSYS) {
		return fmt.Errorf("make submounts of %s read-only: %w", target, err)
	}
	return nil
}

// mountProcAndSys mounts a new /proc for the container's PID namespace and
// /sys, read-only unless privileged.
func mountProcAndSys(root *os.File, privileged bool) error {
	const noSuidDevExec = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	var sysFlags uintptr = noSuidDevExec | unix.MS_RDONLY
	if privileged {
		sysFlags &^= unix.MS_RDONLY
	}
	for _, m := range []struct {
		fstype, dir string
		flags       uintptr
	}{{"proc", "/proc", noSuidDevExec}, {"sysfs", "/sys", sysFlags}} {
		target, err := createInRoot(root, m.dir, false)
		if err != nil {
			return fmt.Errorf("create %s: %w", m.dir, err)
		}
		err = mountOnFd(m.fstype, target, m.dir, m.flags, "")
		_ = target.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// mountDev mounts the tmpfs that becomes the container's /dev and returns
// its root, for setupDev to fill through its magic link.
func mountDev(root *os.File) (*os.File, error) {
	target, err := createInRoot(root, "/dev", false)
	if err != nil {
		return nil, fmt.Errorf("create /dev: %w", err)
	}
	defer func() { _ = target.Close() }()
	return attach(Mount{Type: "tmpfs", Source: "tmpfs", Target: "/dev",
		Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}}, target)
}

// setupDev fills the container's fresh /dev, the tmpfs at dev (a magic
// link to it, from mountDev): the standard devices, its own devpts (the
// one on devptsFd when givenDevpts, which the terminal belongs to), shm,
// mqueue, the console when there is a terminal, the usual symlinks, and
// the extra device nodes, made through root. A negative shmSize leaves
// shm out (--ipc none).
func setupDev(root *os.File, dev string, terminal, givenDevpts bool, extra []Device, shmSize int64) error {
	mounts := []struct {
		fstype, source, dir string
		flags               uintptr
		data                string
	}{
		{"devpts", "devpts", "pts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
		{"tmpfs", "shm", "shm", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, shmOptions(shmSize)},
		{"mqueue", "mqueue", "mqueue", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	}
	for _, m := range mounts {
		if m.dir == "shm" && shmSize < 0 {
			continue
		}
		target := filepath.Join(dev, m.dir)
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", target, err)
		}
		if m.fstype == "devpts" && givenDevpts {
			if err := unix.MoveMount(devptsFd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
				return fmt.Errorf("move the terminal's devpts to %s: %w", target, err)
			}
			_ = unix.Close(devptsFd)
			continue
		}
		if err := unix.Mount(m.source, target, m.fstype, m.flags, m.data); err != nil {
			return fmt.Errorf("mount %s on %s: %w", m.fstype, target, err)
		}
	}
	for _, d := range standardDevices {
		p := filepath.Join(dev, d.name)
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil {
			return fmt.Errorf("create device %s: %w", p, err)
		}
	}
	for _, l := range standardLinks {
		if err := os.Symlink(l[1], filepath.Join(dev, l[0])); err != nil {
			return fmt.Errorf("create /dev/%s: %w", l[0], err)
		}
	}
	for _, d := range extra {
		if err := makeDevice(root, d); err != nil {
			return err
		}
	}
	if terminal {
		if err := bindConsole(dev); err != nil {
			return err
		}
	}
	return nil
}

// makeDevice makes the node d inside root, replacing a file or node
// already at its path (never following a symlink there), with d's mode
// and owner.
func makeDevice(root *os.File, d Device) error {
	typ := uint32(unix.S_IFCHR)
	switch d.Type {
	case 'c':
	case 'b':
		typ = unix.S_IFBLK
	default:
		return fmt.Errorf("create device %s: type %q is not c or b", d.Path, d.Type)
	}
	name := path.Base(path.Clean("/" + d.Path))
	if name == "/" {
		return fmt.Errorf("create device %s: not a file path", d.Path)
	}
	dir, err := createInRoot(root, path.Dir(path.Clean("/"+d.Path)), false)
	if err != nil {
		return fmt.Errorf("create device %s: %w", d.Path, err)
	}
	defer func() { _ = dir.Close() }()
	dirfd := int(dir.Fd())
	if err := unix.Unlinkat(dirfd, name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("create device %s: replace what is there: %w", d.Path, err)
	}
	if err := unix.Mknodat(dirfd, name, typ|d.Mode&0o7777, int(unix.Mkdev(d.Major, d.Minor))); err != nil {
		return fmt.Errorf("create device %s: %w", d.Path, err)
	}
	// Set the mode again, whatever the umask, and the owner.
	if err := unix.Fchmodat(dirfd, name, d.Mode&0o7777, 0); err != nil {
		return fmt.Errorf("create device %s: %w", d.Path, err)
	}
	if err := unix.Fchownat(dirfd, name, int(d.UID), int(d.GID), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("create device %s: %w", d.Path, err)
	}
	return nil
}

// bindConsole makes the terminal on stdin the container's /dev/console.
// It binds the terminal by its path: the fd itself belongs to the parent's
// mount namespace, which bind mounts cannot take from.
func bindConsole(dev string) error {
	tty, err := os.Readlink("/proc/self/fd/0")
	if err != nil {
		return fmt.Errorf("find terminal: %w", err)
	}
	console := filepath.Join(dev, "console")
	f, err := os.OpenFile(console, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", console, err)
	}
	_ = f.Close() // only created as a mount point, read-only
	if err := unix.Mount(tty, console, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind terminal %s on %s: %w", tty, console, err)
	}
	return nil
}

// pivotRoot makes root the new / and detaches the old one, with runc's
// pivot_root(".", ".") so that no directory for the old root is needed.
func pivotRoot(root string) error {
	oldRoot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open old root: %w", err)
	}
	defer func() { _ = unix.Close(oldRoot) }()
	newRoot, err := unix.Open(root, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %s: %w", root, err)
	}
	defer func() { _ = unix.Close(newRoot) }()
	if err := unix.Fchdir(newRoot); err != nil {
		return fmt.Errorf("chdir to rootfs: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root to %s: %w", root, err)
	}
	// The old root now sits on top of the new one: step into it and
	// detach it.
	if err := unix.Fchdir(oldRoot); err != nil {
		return fmt.Errorf("chdir to old root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir to new root: %w", err)
	}
	return nil
}

// MountAt performs m on target, a host path berth chose (a volume's
// directory under the data root), in the caller's mount namespace, as the
// init performs its root mount.
func MountAt(m Mount, target string) error { return mountAt(m, target) }

package containerinit

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Paths inside the container's root are never resolved into a string and
// used again later: another container (or anything that can write to the
// rootfs or to a volume) may swap a component for a symlink in between.
// Each is opened relative to a descriptor of the root with openat2's
// RESOLVE_IN_ROOT, which makes the kernel treat the root as / for every
// symlink and "..", refuses magic links (/proc/self/fd/N, /proc/1/root),
// and yields an O_PATH descriptor that mounts are then made on.

// maxResolveSteps bounds createInRoot's steps for one path: one per
// component created and one per dangling symlink followed.
const maxResolveSteps = 255

// openRoot opens dir, a host path berth chose, as the root to resolve
// container paths in.
func openRoot(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", dir, err)
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// openInRoot opens p inside root as an O_PATH descriptor, following
// symlinks as if root were /, never through a magic link.
func openInRoot(root *os.File, p string) (*os.File, error) {
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(int(root.Fd()), p, &how)
		// EAGAIN: a rename raced with a ".." in the walk; the kernel asks
		// for a retry rather than risk an escape.
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open in root", Path: p, Err: err}
		}
		return os.NewFile(uintptr(fd), p), nil
	}
}

// createInRoot opens p inside root as openInRoot does, creating what is
// missing first: directories, and for the last component an empty regular
// file when file is true. A dangling symlink on the way is followed inside
// root, so its missing target is created there. Each missing component is
// created relative to a descriptor of its parent and the whole path opened
// again from root, so a component swapped for a symlink in between leads
// nowhere outside root.
func createInRoot(root *os.File, p string, file bool) (*os.File, error) {
	p = path.Clean("/" + p)
	for range maxResolveSteps {
		f, err := openInRoot(root, p)
		if err == nil || !errors.Is(err, unix.ENOENT) {
			return f, err
		}
		if p, err = createMissing(root, p, file); err != nil {
			return nil, err
		}
	}
	return nil, &os.PathError{Op: "create in root", Path: p, Err: unix.ELOOP}
}

// createMissing takes one step towards creating p (clean, absolute,
// missing) inside root: below the deepest ancestor that exists it creates
// the next component, or follows it when it is a dangling symlink. It
// returns the path to open next.
func createMissing(root *os.File, p string, file bool) (string, error) {
	dir := p
	var parent *os.File
	for dir != "/" {
		dir = path.Dir(dir)
		var err error
		parent, err = openInRoot(root, dir)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.ENOENT) {
			return "", err
		}
	}
	if parent == nil {
		return "", fmt.Errorf("create %s in root: the root is gone", p)
	}
	defer func() { _ = parent.Close() }()
	// Nothing is created in the kernel's own filesystems, and their
	// magic links (/proc/self/fd/N, whose text names a host path or the
	// very descriptor being resolved) are never followed as symlinks.
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(parent.Fd()), &fs); err != nil {
		return "", &os.PathError{Op: "statfs", Path: dir, Err: err}
	}
	if fs.Type == unix.PROC_SUPER_MAGIC || fs.Type == unix.SYSFS_MAGIC {
		return "", &os.PathError{Op: "create in root", Path: p, Err: ErrKernelFS}
	}
	name, rest, _ := strings.Cut(strings.TrimPrefix(p[len(dir):], "/"), "/")
	if link, err := readlinkat(parent, name); err == nil {
		if path.IsAbs(link) {
			return path.Join(link, rest), nil
		}
		return path.Join(dir, link, rest), nil
	}
	var err error
	if rest == "" && file {
		err = unix.Mknodat(int(parent.Fd()), name, unix.S_IFREG|0o644, 0)
	} else {
		err = unix.Mkdirat(int(parent.Fd()), name, 0o755)
	}
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return "", &os.PathError{Op: "create", Path: path.Join(dir, name), Err: err}
	}
	return p, nil
}

// readlinkat is the target of the symlink name in dir.
func readlinkat(dir *os.File, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(int(dir.Fd()), name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

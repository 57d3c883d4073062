package images

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// A container's init layer sits between its image and its writable
// layer, as docker's (moby's daemon/initlayer): made at create, it holds
// the mount points the runtime binds and mounts on, /etc/mtab, and
// /.dockerenv. cp and export of a created container see them; diff and
// commit, which read only the writable layer, never do. overlay2 keeps it
// as the container's "init" directory, the topmost lower layer; vfs, as
// docker's vfs, as a full copy of the image with the entries made in it,
// which the container's own copy starts from and diff compares with.
//
// /.dockerenv (not Podman's /run/.containerenv) because berth behaves as
// Docker: scripts and tools test for it to know they run in a container.

// initEntryKind is what an init entry is.
type initEntryKind int

const (
	initDir initEntryKind = iota
	initFile
	initSymlink
)

// initEntry is one path of the init layer; Target is a symlink's.
type initEntry struct {
	Path   string
	Kind   initEntryKind
	Target string
}

// initEntries are docker's, in its order.
var initEntries = []initEntry{
	{Path: "dev/pts", Kind: initDir},
	{Path: "dev/shm", Kind: initDir},
	{Path: "proc", Kind: initDir},
	{Path: "sys", Kind: initDir},
	{Path: ".dockerenv", Kind: initFile},
	{Path: "etc/resolv.conf", Kind: initFile},
	{Path: "etc/hosts", Kind: initFile},
	{Path: "etc/hostname", Kind: initFile},
	{Path: "dev/console", Kind: initFile},
	{Path: "etc/mtab", Kind: initSymlink, Target: "/proc/mounts"},
}

// initMode is the mode of every file and directory the init layer makes.
const initMode = 0o755

// makeInitLayer makes the init entries in dir. below describes what the
// layers under dir hold at a path (fs.ErrNotExist when nothing): a
// directory there is kept (a directory made above it takes its mode and
// owner, as overlay's copy-up would), anything else is hidden by the
// entry, as docker unlinks it. dir itself may already hold a tree (vfs's
// copy of the image): a non-directory in the way is removed, never
// followed, since every directory above it was checked first.
func makeInitLayer(dir string, below func(rel string) (fs.FileInfo, error)) error {
	for _, e := range initEntries {
		if err := makeInitEntry(dir, e, below); err != nil {
			return fmt.Errorf("init layer: %s: %w", e.Path, err)
		}
	}
	return nil
}

func makeInitEntry(dir string, e initEntry, below func(rel string) (fs.FileInfo, error)) error {
	parts := strings.Split(e.Path, "/")
	for i := 1; i < len(parts); i++ {
		if err := ensureInitDir(dir, path.Join(parts[:i]...), below, true); err != nil {
			return err
		}
	}
	if fi, err := below(e.Path); err == nil && fi.IsDir() {
		return ensureInitDir(dir, e.Path, below, false)
	}
	p := filepath.Join(dir, e.Path)
	if err := removeNonDir(p); err != nil {
		return err
	}
	switch e.Kind {
	case initDir:
		return mkdirOwned(p, initMode, 0, 0)
	case initFile:
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, initMode)
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return chmodOwned(p, initMode, 0, 0)
	default:
		return os.Symlink(e.Target, p)
	}
}

// ensureInitDir makes rel a directory in dir unless it is one. A
// directory the layers below have is left to them when rel is an entry
// itself; when rel is above an entry (parent), it is made with that
// directory's mode and owner, as overlay's copy-up would.
func ensureInitDir(dir, rel string, below func(rel string) (fs.FileInfo, error), parent bool) error {
	p := filepath.Join(dir, rel)
	var st unix.Stat_t
	err := unix.Lstat(p, &st)
	if err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil
	}
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	fi, berr := below(rel)
	if berr == nil && fi.IsDir() {
		if !parent {
			return nil
		}
		if bst, ok := fi.Sys().(*syscall.Stat_t); ok {
			if err := removeNonDir(p); err != nil {
				return err
			}
			return mkdirOwned(p, bst.Mode&0o7777, int(bst.Uid), int(bst.Gid))
		}
	}
	if err := removeNonDir(p); err != nil {
		return err
	}
	return mkdirOwned(p, initMode, 0, 0)
}

// removeNonDir removes the file or symlink at p, if any (never what a
// symlink points to).
func removeNonDir(p string) error {
	if err := unix.Unlink(p); err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "unlink", Path: p, Err: err}
	}
	return nil
}

func mkdirOwned(p string, mode uint32, uid, gid int) error {
	if err := os.Mkdir(p, 0o700); err != nil {
		return err
	}
	return chmodOwned(p, mode, uid, gid)
}

// chmodOwned sets p's owner, then its mode (chown clears set-ID bits).
func chmodOwned(p string, mode uint32, uid, gid int) error {
	if err := os.Lchown(p, uid, gid); err != nil {
		return err
	}
	return unix.Chmod(p, mode)
}

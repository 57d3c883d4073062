package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// OpenPath opens p inside root as an O_PATH descriptor. The directories
// above p are followed inside the root; p itself is followed when follow
// is set or p ends in "/" or "/." (it must then be a directory), else a
// symlink at p is opened as the symlink.
func OpenPath(root *os.File, p string, follow bool) (*os.File, error) {
	clean := path.Clean("/" + p)
	var f *os.File
	var err error
	switch {
	case clean == "/":
		f, err = openat(root, ".", unix.O_PATH|unix.O_DIRECTORY)
	case follow || strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/."):
		f, err = pathrs.OpenatInRoot(root, clean)
	default:
		dir, base := path.Split(clean)
		var parent *os.File
		if parent, err = pathrs.OpenatInRoot(root, dir); err != nil {
			break
		}
		f, err = openat(parent, base, unix.O_PATH|unix.O_NOFOLLOW)
		_ = parent.Close()
	}
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") {
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			_ = f.Close()
			return nil, fmt.Errorf("%s: not a directory", p)
		}
	}
	return f, nil
}

// StatPath describes p inside root without following a symlink at p
// (unless follow), as docker's stat of a container path.
func StatPath(root *os.File, p string, follow bool) (Stat, error) {
	f, err := OpenPath(root, p, follow)
	if err != nil {
		return Stat{}, err
	}
	defer func() { _ = f.Close() }()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return Stat{}, fmt.Errorf("stat %s: %w", p, err)
	}
	s := Stat{
		Name:  path.Base(path.Clean("/" + p)),
		Size:  st.Size,
		Mode:  fileMode(st.Mode),
		Mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		if s.LinkTarget, err = readlinkEmpty(f); err != nil {
			return Stat{}, fmt.Errorf("readlink %s: %w", p, err)
		}
	}
	return s, nil
}

// fileMode turns a stat mode into Go's FileMode.
func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= os.ModeDir
	case unix.S_IFLNK:
		mode |= os.ModeSymlink
	case unix.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case unix.S_IFBLK:
		mode |= os.ModeDevice
	case unix.S_IFIFO:
		mode |= os.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= os.ModeSocket
	}
	if m&unix.S_ISUID != 0 {
		mode |= os.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= os.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= os.ModeSticky
	}
	return mode
}

// Write writes p inside root, and everything below it when it is a
// directory, to w as a tar stream (see WriteOptions).
func Write(w io.Writer, root *os.File, p string, opts WriteOptions) error {
	f, err := OpenPath(root, p, opts.Follow)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	name := opts.Name
	if name == "" {
		name = path.Base(path.Clean("/" + p))
		if strings.HasSuffix(p, "/.") || p == "." {
			name = "."
		}
	}
	wr := &writer{tw: tar.NewWriter(w), links: map[[2]uint64]string{}, opts: opts, buf: make([]byte, 256<<10), top: name}
	if opts.OmitRoot {
		wr.omit = name
	}
	if opts.OneFileSystem {
		if wr.mnt, err = mountID(f); err != nil {
			return fmt.Errorf("archive %s: %w", p, err)
		}
	}
	if err := wr.entry(f, name); err != nil {
		return fmt.Errorf("archive %s: %w", p, err)
	}
	return wr.tw.Close()
}

type writer struct {
	tw    *tar.Writer
	links map[[2]uint64]string
	opts  WriteOptions
	mnt   uint64
	buf   []byte
	omit  string // the name of the root entry, when OmitRoot leaves it out
	top   string // the name of the path's own entry
}

// below is the entry name relative to the path's own entry, as the keys
// of WriteOptions.Mounts.
func (w *writer) below(name string) string {
	if name == w.top {
		return ""
	}
	if w.top == "." {
		return name
	}
	return strings.TrimPrefix(name, strings.TrimSuffix(w.top, "/")+"/") // the root's own entry may be "/" (GET archive?path=/)
}

// entry writes the O_PATH descriptor f as name, and below it when it is
// a directory.
func (w *writer) entry(f *os.File, name string) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("stat %s: %w", name, err)
	}
	hdr := &tar.Header{
		Name:     name,
		Mode:     int64(st.Mode & 0o7777),
		Uid:      int(st.Uid),
		Gid:      int(st.Gid),
		ModTime:  time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
		Format:   tar.FormatPAX,
		Typeflag: tar.TypeReg,
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
		hdr.Name = strings.TrimSuffix(name, "/") + "/"
		if w.omit == name {
			w.omit = ""
		} else if err := w.tw.WriteHeader(hdr); err != nil {
			return err
		}
		return w.children(f, name)
	case unix.S_IFREG:
		if st.Nlink > 1 {
			key := [2]uint64{st.Dev, st.Ino}
			if first, ok := w.links[key]; ok {
				hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
				return w.tw.WriteHeader(hdr)
			}
			w.links[key] = name
		}
		return w.file(f, hdr, &st)
	case unix.S_IFLNK:
		target, err := readlinkEmpty(f)
		if err != nil {
			return fmt.Errorf("readlink %s: %w", name, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets are not content
	}
	return w.tw.WriteHeader(hdr)
}

// file writes a regular file's header and content. The file is opened
// again for reading through its O_PATH descriptor (never by name), so it
// is the very inode just described.
func (w *writer) file(f *os.File, hdr *tar.Header, st *unix.Stat_t) error {
	r, err := pathrs.Reopen(f, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return fmt.Errorf("open %s: %w", hdr.Name, err)
	}
	defer func() { _ = r.Close() }()
	hdr.Size = st.Size
	if err := w.tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.CopyBuffer(w.tw, io.LimitReader(r, hdr.Size), w.buf)
	if err != nil {
		return fmt.Errorf("read %s: %w", hdr.Name, err)
	}
	if n < hdr.Size {
		// The file shrank while being read: pad, as tar(1) does, so the
		// stream stays well formed.
		if _, err := io.CopyN(w.tw, zeros{}, hdr.Size-n); err != nil {
			return err
		}
	}
	return nil
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// children writes the entries of the directory f, unless the walk stops
// at it (another mount, or a kernel filesystem).
func (w *writer) children(f *os.File, name string) error {
	if stop, err := w.stopAt(f); err != nil || stop {
		return err
	}
	d, err := pathrs.Reopen(f, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer func() { _ = d.Close() }()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	for key := range w.opts.Mounts {
		if dir, base := path.Split(key); path.Clean("/"+dir) == path.Clean("/"+w.below(name)) && !slices.Contains(names, base) {
			names = append(names, base)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if m, ok := w.opts.Mounts[w.below(path.Join(name, n))]; ok {
			if err := w.entry(m, path.Join(name, n)); err != nil {
				return err
			}
			continue
		}
		child, err := openat(d, n, unix.O_PATH|unix.O_NOFOLLOW)
		if errors.Is(err, unix.ENOENT) {
			continue // removed meanwhile
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", path.Join(name, n), err)
		}
		err = w.entry(child, path.Join(name, n))
		_ = child.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// stopAt reports whether the walk keeps out of the directory f.
func (w *writer) stopAt(f *os.File) (bool, error) {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &fs); err != nil {
		return false, err
	}
	switch int64(fs.Type) {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEVPTS_SUPER_MAGIC, mqueueMagic,
		unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC, unix.SECURITYFS_MAGIC,
		unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC, unix.BPF_FS_MAGIC:
		return true, nil
	}
	if !w.opts.OneFileSystem {
		return false, nil
	}
	id, err := mountID(f)
	return id != w.mnt, err
}

func mountID(f *os.File) (uint64, error) {
	var stx unix.Statx_t
	if err := unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &stx); err != nil {
		return 0, fmt.Errorf("statx: %w", err)
	}
	return stx.Mnt_id, nil
}

// openat opens the single component name in dir, with O_CLOEXEC.
func openat(dir *os.File, name string, flags int) (*os.File, error) {
	for {
		fd, err := unix.Openat(int(dir.Fd()), name, flags|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}

// readlinkEmpty reads the symlink an O_PATH|O_NOFOLLOW descriptor is.
func readlinkEmpty(f *os.File) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(int(f.Fd()), "", buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// mqueueMagic is the POSIX message queue filesystem's magic (linux/magic.h
// has no name for it that x/sys exports).
const mqueueMagic = 0x19800202

// OpenRoot opens the host directory dir as a root for the other
// functions (an O_PATH descriptor).
func OpenRoot(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

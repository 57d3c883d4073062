package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// ErrNotDir is an extraction point that is not a directory.
var ErrNotDir = errors.New("extraction point is not a directory")

// Extract extracts the tar stream r into the directory dir inside root.
// Entry names are cleaned (".." stops at dir, an absolute name starts at
// dir); the directories above each entry are resolved, or created, inside
// root; the entry itself is made relative to a descriptor of its parent
// and never followed. A directory is never replaced by a file nor a file
// by a directory (docker cp's rule). Hard links must point at entries
// inside root; sparse files are refused.
func Extract(root *os.File, dir string, r io.Reader, opts ExtractOptions) error {
	d, err := OpenPath(root, dir, true)
	if err != nil {
		return err
	}
	var st unix.Stat_t
	err = unix.Fstat(int(d.Fd()), &st)
	_ = d.Close()
	if err != nil {
		return fmt.Errorf("stat %s: %w", dir, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("%s: %w", dir, ErrNotDir)
	}
	x := &extractor{root: root, dir: path.Clean("/" + dir), opts: opts, buf: make([]byte, 256<<10)}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read tar stream: %w", err)
		}
		if err := x.apply(hdr, tr); err != nil {
			return fmt.Errorf("extract %q: %w", hdr.Name, err)
		}
	}
	// Directory times last: writing their children changes them.
	for i := len(x.dirs) - 1; i >= 0; i-- {
		if err := x.dirTimes(x.dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

type dirTime struct {
	path  string
	mtime time.Time
}

type extractor struct {
	root *os.File
	dir  string
	opts ExtractOptions
	dirs []dirTime
	buf  []byte
}

func (x *extractor) apply(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeGNUSparse || hasSparseRecords(hdr) {
		return errors.New("sparse files are not supported")
	}
	rel := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
	if rel == "" {
		return nil // the stream's own root: dir itself
	}
	full := path.Join(x.dir, rel)
	parent, err := pathrs.MkdirAllHandle(x.root, path.Dir(full), 0o755)
	if err != nil {
		return fmt.Errorf("make parent directory: %w", err)
	}
	defer func() { _ = parent.Close() }()
	base := path.Base(full)
	pfd := int(parent.Fd())

	var old unix.Stat_t
	err = unix.Fstatat(pfd, base, &old, unix.AT_SYMLINK_NOFOLLOW)
	exists := err == nil
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	isDir := hdr.Typeflag == tar.TypeDir
	if exists {
		wasDir := old.Mode&unix.S_IFMT == unix.S_IFDIR
		switch {
		case wasDir && !isDir:
			return fmt.Errorf("cannot overwrite directory %q with non-directory %q", full, hdr.Name)
		case !wasDir && isDir:
			return fmt.Errorf("cannot overwrite non-directory %q with directory %q", full, hdr.Name)
		case !wasDir:
			if err := unix.Unlinkat(pfd, base, 0); err != nil {
				return err
			}
		}
	}

	switch hdr.Typeflag {
	case tar.TypeDir:
		if !exists {
			if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
				return err
			}
		}
		x.dirs = append(x.dirs, dirTime{path: full, mtime: hdr.ModTime})
	case tar.TypeReg:
		if err := x.writeFile(parent, base, hdr, r); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return err
		}
		return x.symlinkMeta(pfd, base, hdr)
	case tar.TypeLink:
		return x.hardLink(pfd, base, hdr)
	case tar.TypeFifo:
		if err := unix.Mknodat(pfd, base, unix.S_IFIFO|0o600, 0); err != nil {
			return err
		}
	case tar.TypeChar, tar.TypeBlock:
		if hdr.Devmajor < 0 || hdr.Devmajor > 1<<12-1 || hdr.Devminor < 0 || hdr.Devminor > 1<<20-1 {
			return fmt.Errorf("device number %d:%d is out of range", hdr.Devmajor, hdr.Devminor)
		}
		mode := uint32(unix.S_IFCHR)
		if hdr.Typeflag == tar.TypeBlock {
			mode = unix.S_IFBLK
		}
		if err := unix.Mknodat(pfd, base, mode|0o600, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
	}
	return x.meta(parent, base, hdr)
}

func hasSparseRecords(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func (x *extractor) writeFile(parent *os.File, base string, hdr *tar.Header, r io.Reader) error {
	f, err := openat(parent, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(f, r, x.buf); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// hardLink links base to the entry the link name gives, resolved inside
// the root; link(2) does not follow the source's last component.
func (x *extractor) hardLink(pfd int, base string, hdr *tar.Header) error {
	rel := strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/")
	if rel == "" {
		return errors.New("hard link to the extraction point")
	}
	src := path.Join(x.dir, rel)
	sp, err := pathrs.OpenatInRoot(x.root, path.Dir(src))
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	defer func() { _ = sp.Close() }()
	return unix.Linkat(int(sp.Fd()), path.Base(src), pfd, base, 0)
}

func (x *extractor) owner(hdr *tar.Header) (int, int) {
	if x.opts.Owner != nil {
		return x.opts.Owner.UID, x.opts.Owner.GID
	}
	return hdr.Uid, hdr.Gid
}

func (x *extractor) symlinkMeta(pfd int, base string, hdr *tar.Header) error {
	uid, gid := x.owner(hdr)
	if err := unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	return unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// meta sets owner, mode and (but for directories, done last) times on
// the entry just made, through a descriptor of it: if it was swapped for
// a symlink meanwhile, that is an error, never a chmod of its target.
func (x *extractor) meta(parent *os.File, base string, hdr *tar.Header) error {
	f, err := openat(parent, base, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	fd := int(f.Fd())
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return errors.New("replaced by a symlink while being extracted")
	}
	uid, gid := x.owner(hdr)
	if err := unix.Fchownat(fd, "", uid, gid, unix.AT_EMPTY_PATH); err != nil {
		return err
	}
	if err := chmodFd(fd, uint32(hdr.Mode&0o7777)); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeDir {
		return nil
	}
	ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	return unix.UtimesNanoAt(fd, "", ts, unix.AT_EMPTY_PATH)
}

// chmodFd changes the mode of an O_PATH descriptor: fchmodat2 where the
// kernel has it (6.6), else through its /proc/self/fd link.
func chmodFd(fd int, mode uint32) error {
	err := unix.Fchmodat(fd, "", mode, unix.AT_EMPTY_PATH)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) {
		err = unix.Chmod(fmt.Sprintf("/proc/self/fd/%d", fd), mode)
	}
	return err
}

// dirTimes sets a directory's modification time, found again inside the
// root by its path.
func (x *extractor) dirTimes(d dirTime) error {
	f, err := pathrs.OpenatInRoot(x.root, d.path)
	if err != nil {
		return fmt.Errorf("set times of %s: %w", d.path, err)
	}
	defer func() { _ = f.Close() }()
	ts := []unix.Timespec{unix.NsecToTimespec(d.mtime.UnixNano()), unix.NsecToTimespec(d.mtime.UnixNano())}
	if err := unix.UtimesNanoAt(int(f.Fd()), "", ts, unix.AT_EMPTY_PATH); err != nil {
		return fmt.Errorf("set times of %s: %w", d.path, err)
	}
	return nil
}

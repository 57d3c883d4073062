package images

import (
	"archive/tar"
	"errors"
	"io/fs"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	unixNoFollow = unix.O_NOFOLLOW | unix.O_CLOEXEC
	unixNonBlock = unix.O_NONBLOCK
)

// mknod creates a device node or FIFO of a tar entry type.
func mknod(path string, typ byte, mode int64, major, minor int64) error {
	m := uint32(mode) & 0o7777
	switch typ {
	case tar.TypeChar:
		m |= unix.S_IFCHR
	case tar.TypeBlock:
		m |= unix.S_IFBLK
	case tar.TypeFifo:
		m |= unix.S_IFIFO
	}
	return unix.Mknod(path, m, int(unix.Mkdev(uint32(major), uint32(minor))))
}

func chmod(path string, mode int64) error {
	return unix.Fchmodat(unix.AT_FDCWD, path, uint32(mode)&0o7777, 0)
}

// setTimes sets atime and mtime without following a symlink.
func setTimes(path string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// setXattr sets an extended attribute without following a symlink; a
// filesystem without xattr support is not an error.
func setXattr(path, name, value string) error {
	err := unix.Lsetxattr(path, name, []byte(value), 0)
	if errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	return err
}

// setOpaque marks an overlay directory opaque: lower layers' entries in it
// are hidden.
func setOpaque(dir string) error {
	return unix.Lsetxattr(dir, "trusted.overlay.opaque", []byte("y"), 0)
}

func timespecTime(ts unix.Timespec) time.Time { return time.Unix(ts.Sec, ts.Nsec) }

// inodeOf identifies a file for hard-link counting: only files with more
// than one link need it.
func inodeOf(fi fs.FileInfo) (struct{ dev, ino uint64 }, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink < 2 {
		return struct{ dev, ino uint64 }{}, false
	}
	return struct{ dev, ino uint64 }{uint64(st.Dev), st.Ino}, true
}

package containerinit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// copyUpVolume fills the volume directory volume, when it is empty, from
// the directory target (an O_PATH descriptor resolved inside the root),
// as Docker does the first time a volume is mounted where the image has
// content: files, directories, symlinks and device nodes, with their
// owners, modes and times, and the owner and mode of target itself.
//
// Nothing is ever followed: every entry is opened relative to its
// parent's descriptor with O_NOFOLLOW, symlinks are copied as symlinks,
// and every entry of the volume is created exclusively, so neither a
// symlink in the image nor one a container sharing the volume plants
// there leads the copy outside the image root or the volume.
func copyUpVolume(target *os.File, volume string) error {
	dst, err := unix.Open(volume, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open volume", Path: volume, Err: err}
	}
	dstDir := os.NewFile(uintptr(dst), volume)
	defer func() { _ = dstDir.Close() }()
	if names, err := dstDir.Readdirnames(1); len(names) > 0 {
		return nil // already has content: it is the volume's, not the image's
	} else if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read volume %s: %w", volume, err)
	}
	src, err := unix.Openat(int(target.Fd()), ".", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: target.Name(), Err: err}
	}
	srcDir := os.NewFile(uintptr(src), target.Name())
	defer func() { _ = srcDir.Close() }()
	if err := copyDirContent(srcDir, dstDir); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstat(src, &st); err != nil {
		return &os.PathError{Op: "stat", Path: target.Name(), Err: err}
	}
	return setAttrs(dst, &st)
}

// copyDirContent copies every entry of src into dst, depth first.
func copyDirContent(src, dst *os.File) error {
	names, err := src.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read %s: %w", src.Name(), err)
	}
	for _, name := range names {
		if err := copyEntry(src, dst, name); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies the entry name of src into dst.
func copyEntry(src, dst *os.File, name string) error {
	sfd, dfd := int(src.Fd()), int(dst.Fd())
	where := src.Name() + "/" + name
	var st unix.Stat_t
	if err := unix.Fstatat(sfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "stat", Path: where, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdirat(dfd, name, 0o700); err != nil {
			return &os.PathError{Op: "mkdir", Path: where, Err: err}
		}
		in, err := openNoFollow(sfd, name, unix.O_DIRECTORY|unix.O_RDONLY, where)
		if err != nil {
			return err
		}
		defer func() { _ = in.Close() }()
		out, err := openNoFollow(dfd, name, unix.O_DIRECTORY|unix.O_RDONLY, where)
		if err != nil {
			return err
		}
		defer func() { _ = out.Close() }()
		if err := copyDirContent(in, out); err != nil {
			return err
		}
		return setAttrs(int(out.Fd()), &st)
	case unix.S_IFREG:
		in, err := openNoFollow(sfd, name, unix.O_RDONLY, where)
		if err != nil {
			return err
		}
		defer func() { _ = in.Close() }()
		ofd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return &os.PathError{Op: "create", Path: where, Err: err}
		}
		out := os.NewFile(uintptr(ofd), where)
		defer func() { _ = out.Close() }()
		if _, err := io.Copy(out, in); err != nil {
			return fmt.Errorf("copy %s: %w", where, err)
		}
		return setAttrs(ofd, &st)
	case unix.S_IFLNK:
		link, err := readlinkat(src, name)
		if err != nil {
			return &os.PathError{Op: "readlink", Path: where, Err: err}
		}
		if err := unix.Symlinkat(link, dfd, name); err != nil {
			return &os.PathError{Op: "symlink", Path: where, Err: err}
		}
		return setNodeAttrs(dfd, name, &st)
	default: // devices, fifos, sockets
		if err := unix.Mknodat(dfd, name, st.Mode, int(st.Rdev)); err != nil {
			return &os.PathError{Op: "mknod", Path: where, Err: err}
		}
		return setNodeAttrs(dfd, name, &st)
	}
}

func openNoFollow(dirfd int, name string, flags int, where string) (*os.File, error) {
	fd, err := unix.Openat(dirfd, name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: where, Err: err}
	}
	return os.NewFile(uintptr(fd), where), nil
}

// setAttrs gives the entry fd holds (an O_PATH descriptor does) st's
// owner, mode and times, through the descriptor, so nothing is followed;
// the mode is set after the owner, which clears set-user-ID bits.
func setAttrs(fd int, st *unix.Stat_t) error {
	if err := unix.Fchownat(fd, "", int(st.Uid), int(st.Gid), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil // a symlink's mode means nothing; its times are setLinkTimes'
	}
	// The magic link reaches exactly the inode fd holds.
	self := "/proc/self/fd/" + strconv.Itoa(fd)
	if err := unix.Chmod(self, st.Mode&0o7777); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, self, []unix.Timespec{st.Atim, st.Mtim}, 0); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

// setNodeAttrs is setAttrs for the entry name of dir that is no
// directory or regular file (a symlink, a device, a fifo), opened
// O_PATH without following it.
func setNodeAttrs(dir int, name string, st *unix.Stat_t) error {
	fd, err := unix.Openat(dir, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer func() { _ = unix.Close(fd) }()
	var now unix.Stat_t
	if err := unix.Fstat(fd, &now); err != nil {
		return fmt.Errorf("stat %s: %w", name, err)
	}
	if now.Mode&unix.S_IFMT != st.Mode&unix.S_IFMT {
		return fmt.Errorf("%s: replaced while it was copied", name)
	}
	if err := setAttrs(fd, st); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		err := unix.UtimesNanoAt(dir, name, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
		if err != nil {
			return fmt.Errorf("set times of %s: %w", name, err)
		}
	}
	return nil
}

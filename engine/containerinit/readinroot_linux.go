package containerinit

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// maxAccountFile bounds what ReadFileInRoot reads: /etc/passwd and
// /etc/group of a hostile image may be anything.
const maxAccountFile = 4 << 20

// ReadFileInRoot reads the regular file name inside root (a host path
// such as /proc/<pid>/root) as the container sees it: symlinks and ".."
// resolved inside root, never through a magic link, never blocking on a
// FIFO or device. A missing file is nil content and no error.
func ReadFileInRoot(root, name string) ([]byte, error) {
	dir, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	defer func() { _ = dir.Close() }()
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	var fd int
	for {
		fd, err = unix.Openat2(int(dir.Fd()), name, &how)
		if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, &os.PathError{Op: "open in root", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s in the container: not a regular file", name)
	}
	return io.ReadAll(io.LimitReader(f, maxAccountFile))
}

package nsenter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SealedCopy returns a read-only handle on the berth binary at path
// ("/proc/self/exe" for the running one) that cannot be turned back into a
// writable file: what a process that enters a container must run instead
// of the host's binary (CVE-2019-5736). Once in the container, anyone who
// can read that process's /proc/<pid>/exe gets this copy, not the host's
// file. Exec it as /proc/self/fd/N after handing it to the child as fd N.
//
// With a scratch directory (an empty directory that SealedCopy creates
// when missing, neither inside nor above the binary's directory) the copy
// costs no copying: the binary is opened through a private, read-only,
// never-attached overlay mount of its own directory, as runc does since
// 1.2. An overlay with no upper layer cannot be written and has no way
// back to the file below. When that is not possible (no scratch, no
// overlay, no new mount API, a binary replaced on disk since it started),
// the binary is copied into a memfd sealed against any change.
//
// The caller closes the file; the copy goes away with the last process
// that runs it.
func SealedCopy(path, scratch string) (*os.File, error) {
	if scratch != "" {
		if f, err := overlayCopy(path, scratch); err == nil {
			return f, nil
		}
	}
	return memfdCopy(path)
}

// ExecPath is the path that executes the file a child holds as fd.
func ExecPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// overlayCopy opens path's binary through a detached read-only overlay
// whose lower layers are the binary's directory and scratch (an overlay
// without an upper layer needs two).
func overlayCopy(path, scratch string) (*os.File, error) {
	real, err := os.Readlink(path)
	if err != nil { // a plain path, not a /proc magic link
		real, err = filepath.EvalSymlinks(path)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", path, err)
		}
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", path, err)
	}
	var want unix.Stat_t
	if err := unix.Stat(path, &want); err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		return nil, fmt.Errorf("create seal scratch directory: %w", err)
	}
	dir, name := filepath.Split(real)
	ctx, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("fsopen overlay: %w", err)
	}
	defer func() { _ = unix.Close(ctx) }()
	lower := escapeLowerdir(dir) + ":" + escapeLowerdir(scratch)
	if err := unix.FsconfigSetString(ctx, "lowerdir", lower); err != nil {
		return nil, fmt.Errorf("overlay lowerdir=%s: %w", lower, err)
	}
	// xino is irrelevant here; off spares the kernel log a warning when
	// the two layers sit on different filesystems. Older kernels lack it.
	_ = unix.FsconfigSetString(ctx, "xino", "off")
	if err := unix.FsconfigCreate(ctx); err != nil {
		return nil, fmt.Errorf("create overlay: %w", err)
	}
	mnt, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID)
	if err != nil {
		return nil, fmt.Errorf("fsmount overlay: %w", err)
	}
	defer func() { _ = unix.Close(mnt) }()
	fd, err := unix.Openat(mnt, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s on the overlay: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), "sealed:"+name)
	// The overlay renumbers inodes, so compare what it keeps: a binary
	// replaced since path was opened must not be run in its place.
	var got unix.Stat_t
	if err := unix.Fstat(fd, &got); err != nil || got.Size != want.Size || got.Mtim != want.Mtim ||
		got.Mode&unix.S_IFMT != unix.S_IFREG {
		_ = f.Close()
		return nil, fmt.Errorf("%s on the overlay is not the binary at %s", name, path)
	}
	return f, nil
}

// escapeLowerdir escapes what overlay's lowerdir list treats specially.
func escapeLowerdir(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), ":", `\:`)
}

// memfdSeals forbid any change to a memfd's content, and any new seal.
const memfdSeals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE

// memfdCopy copies path into a sealed memfd and returns it opened
// read-only, so that no writable descriptor of it is left anywhere.
func memfdCopy(path string) (*os.File, error) {
	src, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer func() { _ = src.Close() }()
	// MFD_EXEC (Linux 6.3) keeps the memfd executable where
	// vm.memfd_noexec would make it not; older kernels refuse the flag.
	fd, err := unix.MemfdCreate("berth", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if errors.Is(err, unix.EINVAL) {
		fd, err = unix.MemfdCreate("berth", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:berth")
	defer func() { _ = mem.Close() }()
	if _, err := io.Copy(mem, src); err != nil { // copy_file_range or sendfile
		return nil, fmt.Errorf("copy %s into a memfd: %w", path, err)
	}
	if err := mem.Chmod(0o555); err != nil {
		return nil, fmt.Errorf("chmod sealed copy: %w", err)
	}
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, memfdSeals); err != nil {
		return nil, fmt.Errorf("seal copy of %s: %w", path, err)
	}
	ro, err := os.OpenFile(ExecPath(fd), os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("reopen sealed copy: %w", err)
	}
	return ro, nil
}

package volumes

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"berth/engine/containerinit"
)

// Mount mounts the filesystem volume v's options describe (-o type=tmpfs,
// -o type=none,o=bind,device=/path) on its Mountpoint, unless it already
// is; a volume without options is a plain directory and needs nothing.
// The mount stays until the volume is removed or the machine restarts.
func (s *Store) Mount(v *Volume) error {
	fstype, device, options, ok := mountOf(v.Options)
	if !ok {
		return nil
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if mounted, err := isMountpoint(v.Mountpoint); err != nil || mounted {
		return err
	}
	if fstype == "bind" {
		if _, err := os.Stat(device); err != nil {
			return fmt.Errorf("mount volume %s: bind source: %w", v.Name, err)
		}
	}
	m := containerinit.Mount{Type: fstype, Source: device, Options: options}
	if err := containerinit.MountAt(m, v.Mountpoint); err != nil {
		return fmt.Errorf("mount volume %s: %w", v.Name, err)
	}
	return nil
}

// unmount detaches whatever Mount mounted on mountpoint, if anything.
func unmount(mountpoint string) error {
	mounted, err := isMountpoint(mountpoint)
	if err != nil || !mounted {
		return err
	}
	if err := unix.Unmount(mountpoint, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount %s: %w", mountpoint, err)
	}
	return nil
}

// isMountpoint reports whether p is the root of a mount: its mount ID
// differs from its parent's.
func isMountpoint(p string) (bool, error) {
	id := func(path string) (uint64, error) {
		var st unix.Statx_t
		err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_MNT_ID, &st)
		return st.Mnt_id, err
	}
	self, err := id(p)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("statx %s: %w", p, err)
	}
	parent, err := id(p + "/..")
	if err != nil {
		return false, fmt.Errorf("statx %s/..: %w", p, err)
	}
	return self != parent, nil
}

package images

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Filesystem magic numbers of filesystems that cannot host overlay upper
// directories (see statfs(2)).
const (
	fsOverlay  = 0x794c7630
	fsAufs     = 0x61756673
	fsEcryptfs = 0xf15f
	fsNFS      = 0x6969
	fsCIFS     = 0xff534d42
	fsSMB2     = 0xfe534d42
	fsFUSE     = 0x65735546
)

// driverForFS picks the storage driver for a root on a filesystem of the
// given statfs type.
func driverForFS(fsType int64) string {
	switch uint32(fsType) {
	case fsOverlay, fsAufs, fsEcryptfs, fsNFS, fsCIFS, fsSMB2, fsFUSE:
		return DriverVFS
	}
	return DriverOverlay2
}

func detectDriver(root string) (string, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		return "", fmt.Errorf("statfs %s: %w", root, err)
	}
	return driverForFS(int64(st.Type)), nil
}

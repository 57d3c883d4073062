package containerinit

import "golang.org/x/sys/unix"

// rootPropagation is what / becomes in the init's new mount namespace
// before the root is built: rprivate, so that nothing propagates back to
// the host, unless a mount asks to receive the host's mounts (slave or
// shared propagation: kubelet's HostToContainer and Bidirectional). Then
// / becomes rslave, runc's default: a private / would cut the mount's
// source from the host's peer group before it is bound, and a slave
// propagates nothing back either.
func rootPropagation(mounts []Mount) uintptr {
	for _, m := range mounts {
		switch parseMountOptions(m.Options).Propagation &^ unix.MS_REC {
		case unix.MS_SLAVE, unix.MS_SHARED:
			return unix.MS_SLAVE | unix.MS_REC
		}
	}
	return unix.MS_PRIVATE | unix.MS_REC
}

package cri

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// podShmSize is the size of a pod's /dev/shm: kubelet's and containerd's
// default, docker's too.
const podShmSize = 64 << 20

// mountPodShm mounts the tmpfs a pod's containers share as /dev/shm at
// dir (under the pod's directory of the run root): with the pod's own
// IPC namespace, POSIX shared memory is shared as System V's is. On
// error nothing is left.
func mountPodShm(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("make the pod's /dev/shm: %w", err)
	}
	data := "mode=1777,size=" + strconv.Itoa(podShmSize)
	if err := unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, data); err != nil {
		return errors.Join(fmt.Errorf("mount the pod's /dev/shm at %s: %w", dir, err), os.Remove(dir))
	}
	return nil
}

// unmountPodShm unmounts and removes the pod's /dev/shm; one that is
// gone already is no error.
func unmountPodShm(dir string) error {
	if dir == "" {
		return nil
	}
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount the pod's /dev/shm at %s: %w", dir, err)
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the pod's /dev/shm at %s: %w", dir, err)
	}
	return nil
}

package cri

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"berth/internal/osthread"
	"berth/ptyexec/nsenter"
)

// pinnedKinds are the namespace files a pod's directory may hold: the
// kinds a pod holds without a process (net, ipc, uts; pinNamespaces), and
// its PID namespace's (pidns_linux.go).
var pinnedKinds = []string{"net", "ipc", "uts", "pid"}

// pinNamespaces makes a new namespace of each of kinds ("net", "ipc",
// "uts") and keeps it without a process: its /proc/thread-self/ns file is
// bind-mounted at dir/<kind>. The UTS namespace gets hostname, the
// network namespace its loopback up. The work runs on a thread of its own
// that is thrown away after. On error nothing is left.
func pinNamespaces(dir string, kinds []string, hostname string) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pin namespaces in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, unpinNamespaces(dir))
		}
	}()
	flags := 0
	for _, k := range kinds {
		flags |= nsenter.Namespace(k).CloneFlag()
		f, err := os.OpenFile(filepath.Join(dir, k), os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o400)
		if err != nil {
			return fmt.Errorf("pin namespaces: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("pin namespaces: %w", err)
		}
	}
	return osthread.Discarded(func() error {
		if err := unix.Unshare(flags); err != nil {
			return fmt.Errorf("pin namespaces: unshare: %w", err)
		}
		if flags&unix.CLONE_NEWUTS != 0 && hostname != "" {
			if err := unix.Sethostname([]byte(hostname)); err != nil {
				return fmt.Errorf("pin namespaces: set hostname %q: %w", hostname, err)
			}
		}
		if flags&unix.CLONE_NEWNET != 0 {
			lo, err := netlink.LinkByName("lo")
			if err == nil {
				err = netlink.LinkSetUp(lo)
			}
			if err != nil {
				return fmt.Errorf("pin namespaces: bring lo up: %w", err)
			}
		}
		for _, k := range kinds {
			src := "/proc/thread-self/ns/" + k
			if err := unix.Mount(src, filepath.Join(dir, k), "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("pin namespaces: bind %s: %w", src, err)
			}
		}
		return nil
	})
}

// unpinNamespaces unmounts and removes every pinned namespace file in
// dir and dir itself; a namespace no process is in is freed. Unpinning
// what is gone already is not an error.
func unpinNamespaces(dir string) error {
	var errs []error
	for _, k := range pinnedKinds {
		p := filepath.Join(dir, k)
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("unpin %s: %w", p, err))
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("unpin %s: %w", p, err))
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("unpin %s: %w", dir, err))
	}
	return errors.Join(errs...)
}

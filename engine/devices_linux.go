package engine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/containerinit"
)

// hostDevDir is the host's device directory, the kernel's interface
// rather than a configurable root.
const hostDevDir = "/dev"

// errNotADevice is runc's devices.ErrNotADevice, whose text docker shows.
var errNotADevice = errors.New("not a device node")

// hostDevices reads device nodes from the host's filesystem.
type hostDevices struct{}

// deviceAt reads the node at p without following a symlink there.
func deviceAt(p string) (containerinit.Device, error) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return containerinit.Device{}, err
	}
	d := containerinit.Device{Path: p, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid,
		Major: unix.Major(st.Rdev), Minor: unix.Minor(st.Rdev)}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		d.Type = 'c'
	case unix.S_IFBLK:
		d.Type = 'b'
	default:
		return containerinit.Device{}, errNotADevice
	}
	return d, nil
}

func (hostDevices) at(pathOnHost, pathInContainer string) ([]containerinit.Device, error) {
	resolved := pathOnHost
	if fi, err := os.Lstat(pathOnHost); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if p, err := filepath.EvalSymlinks(pathOnHost); err == nil {
			resolved = p
		}
	}
	d, err := deviceAt(resolved)
	if err == nil {
		d.Path = pathInContainer
		return []containerinit.Device{d}, nil
	}
	var devs []containerinit.Device
	if fi, serr := os.Stat(resolved); errors.Is(err, errNotADevice) && serr == nil && fi.IsDir() {
		// Every node below, as docker walks a directory; what cannot be
		// read is skipped.
		_ = filepath.WalkDir(resolved, func(p string, _ fs.DirEntry, _ error) error { // the callback never fails
			if d, err := deviceAt(p); err == nil {
				d.Path = strings.Replace(p, resolved, pathInContainer, 1)
				devs = append(devs, d)
			}
			return nil
		})
	}
	if len(devs) == 0 {
		return nil, errGatherDevice(pathOnHost, err)
	}
	return devs, nil
}

func (hostDevices) all() ([]containerinit.Device, error) {
	return devicesBelow(hostDevDir)
}

// devicesBelow lists the nodes in dir and its subdirectories, skipping
// what skippedByPrivileged names, and fifos, as runc's devices.GetDevices.
func devicesBelow(dir string) ([]containerinit.Device, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []containerinit.Device
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if skippedByPrivileged(e.Name()) {
			continue
		}
		if e.IsDir() {
			sub, err := devicesBelow(p)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		d, err := deviceAt(p)
		switch {
		case errors.Is(err, errNotADevice), errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

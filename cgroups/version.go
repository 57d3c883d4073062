package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
)

// Version is the cgroup hierarchy layout of a host.
type Version int

const (
	// V1 is one hierarchy per controller (also hybrid hosts, where a
	// cgroup2 tree exists beside the v1 controllers).
	V1 Version = 1
	// V2 is the unified hierarchy.
	V2 Version = 2
)

func (v Version) String() string {
	switch v {
	case V1:
		return "v1"
	case V2:
		return "v2"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}

// v1Controllers lists the v1 hierarchies a group is created in, each
// mounted at <mount root>/<name>.
func v1Controllers() [8]string {
	return [...]string{"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "freezer", "devices"}
}

// Detect tells which cgroup version is mounted at mountRoot (usually
// /sys/fs/cgroup). A v2-only host has cgroup.controllers at the root; a
// host with v1 controllers is V1 even when a cgroup2 tree is mounted
// beside them (hybrid).
func Detect(mountRoot string) (Version, error) {
	if exists(filepath.Join(mountRoot, "cgroup.controllers")) {
		return V2, nil
	}
	for _, c := range v1Controllers() {
		if exists(filepath.Join(mountRoot, c, "cgroup.procs")) {
			return V1, nil
		}
	}
	return 0, fmt.Errorf("detect cgroup version under %s: %w", mountRoot, ErrNoCgroupFS)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

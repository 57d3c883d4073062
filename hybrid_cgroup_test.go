package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// unifiedControllers is where a hybrid host's cgroup2 lists the
// controllers bound to it (on a cgroup v2 host there is no such file).
const unifiedControllers = "/sys/fs/cgroup/unified/cgroup.controllers"

// freeUnifiedControllers lets crun run on a hybrid cgroup host: crun
// refuses one whose cgroup2 holds controllers ("cgroups in hybrid mode
// not supported, drop all controllers from cgroupv2"). It mounts a
// cgroup v1 hierarchy with those controllers on a temporary directory,
// which moves them off cgroup2 (the kernel allows it while no cgroup2
// child uses them), and in a Cleanup removes the cgroups made in it,
// unmounts it and removes the directory, which gives them back to
// cgroup2. On any other host it does nothing. What it did is in the
// benchmark's log.
func freeUnifiedControllers(b *testing.B) error {
	data, err := os.ReadFile(unifiedControllers)
	if err != nil {
		return nil // not a hybrid host
	}
	controllers := strings.Fields(string(data))
	if len(controllers) == 0 {
		return nil
	}
	opts := strings.Join(controllers, ",")
	dir, err := os.MkdirTemp("", "berth-bench-cgroup-")
	if err != nil {
		return err
	}
	if err := unix.Mount("cgroup", dir, "cgroup", 0, opts); err != nil {
		os.Remove(dir)
		return fmt.Errorf("move %s off cgroup2: mount a cgroup v1 hierarchy with them on %s: %w", opts, dir, err)
	}
	b.Cleanup(func() {
		if err := giveBack(dir, opts, controllers); err != nil {
			b.Errorf("cleanup: give %s back to cgroup2: %v", opts, err)
			return
		}
		b.Logf("hybrid cgroups: %s given back to cgroup2", opts)
	})
	b.Logf("hybrid cgroups: moved %s off cgroup2 for crun (a cgroup v1 hierarchy on %s, unmounted when the benchmark ends)", opts, dir)
	return nil
}

// giveBack ends the v1 hierarchy with controllers (opts joined) mounted
// on dir, so that they return to cgroup2, and removes dir. The kernel
// ends a hierarchy at its unmount only when no cgroup is left in it, even
// one removed and not yet freed; else the hierarchy lingers, mounted
// nowhere, and keeps its controllers. So it removes the cgroups, waits
// until they are freed, and if the controllers are not back after the
// unmount, mounts the hierarchy again and unmounts it again, for up to
// 10 s.
func giveBack(dir, opts string, controllers []string) error {
	if err := removeCgroups(dir); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for hierarchyCgroups(controllers[0]) > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for {
		if err := unix.Unmount(dir, 0); err != nil {
			return fmt.Errorf("unmount %s: %w", dir, err)
		}
		for range 50 {
			if data, _ := os.ReadFile(unifiedControllers); slices.Equal(strings.Fields(string(data)), controllers) {
				return os.Remove(dir)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			os.Remove(dir)
			return fmt.Errorf("cgroup2 does not list them 10 s after the v1 hierarchy on %s was unmounted (see /proc/cgroups)", dir)
		}
		if err := unix.Mount("cgroup", dir, "cgroup", 0, opts); err != nil {
			os.Remove(dir)
			return fmt.Errorf("mount the lingering v1 hierarchy again on %s: %w", dir, err)
		}
	}
}

// hierarchyCgroups is how many cgroups /proc/cgroups counts in the
// hierarchy of controller (-1 when it does not say).
func hierarchyCgroups(controller string) int {
	data, err := os.ReadFile("/proc/cgroups")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == controller {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// removeCgroups removes every cgroup below the hierarchy mounted on
// root, deepest first: a v1 hierarchy with cgroups left in it outlives
// its unmount and keeps its controllers.
func removeCgroups(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root {
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list cgroups under %s: %w", root, err)
	}
	for _, d := range slices.Backward(dirs) {
		if err := os.Remove(d); err != nil {
			return fmt.Errorf("remove cgroup %s: %w", d, err)
		}
	}
	return nil
}

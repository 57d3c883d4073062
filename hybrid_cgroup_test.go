package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
		if err := removeCgroups(dir); err != nil {
			b.Errorf("cleanup: %v", err)
		}
		if err := unix.Unmount(dir, 0); err != nil {
			b.Errorf("cleanup: give %s back to cgroup2: unmount %s: %v", opts, dir, err)
			return
		}
		if err := os.Remove(dir); err != nil {
			b.Errorf("cleanup: %v", err)
		}
		// the kernel releases the hierarchy a moment after its unmount
		for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
			data, _ := os.ReadFile(unifiedControllers)
			if slices.Equal(strings.Fields(string(data)), controllers) {
				b.Logf("hybrid cgroups: %s given back to cgroup2 (after %.0f ms)", opts, ms(time.Since(start)))
				return
			}
			if time.Since(start) > 10*time.Second {
				b.Errorf("cleanup: cgroup2 lists controllers %q 10 s after the v1 hierarchy went, want %q", data, controllers)
				return
			}
		}
	})
	b.Logf("hybrid cgroups: moved %s off cgroup2 for crun (a cgroup v1 hierarchy on %s, unmounted when the benchmark ends)", opts, dir)
	return nil
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

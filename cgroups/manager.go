package cgroups

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Manager manages one container's group. Get one from New; it works the
// same on cgroup v1 and v2. A Manager holds no open files, so it needs no
// closing, and a new one can be made for an existing group at any time
// (for example after the process that created it died).
type Manager interface {
	// Create makes the group (in every v1 hierarchy: cpu, cpuacct,
	// cpuset, memory, pids, blkio, freezer, devices; on v2 after enabling the
	// controllers in the parents) and applies r. A value docker would
	// refuse is a *SettingError naming the setting, and leaves nothing
	// behind. Creating a group that exists reuses it.
	Create(r Resources) error
	// Update replaces the group's limits with r; zero fields remove
	// their limit. On v1 the device list is written again from a reset,
	// so for that moment the group's processes cannot open a device; v2
	// swaps device programs without such a gap.
	Update(r Resources) error
	// Add moves a process (with its threads) into the group.
	Add(pid int) error
	// TaskFiles lists the files through which a process that still has
	// a single thread moves itself into the group, by writing "0" to
	// each: every v1 hierarchy's tasks file. Such a move skips the
	// global lock that Add's move by PID takes, and with it the kernel's
	// wait for an RCU grace period (about 10 ms). It is nil on v2, where
	// a lone thread cannot leave its process's group: use Add.
	TaskFiles() []string
	// Procs lists the processes in the group and in any group below it.
	Procs() ([]int, error)
	// Stats reads the group's counters. It is cheap: a handful of file
	// reads and no allocation, for a TUI refreshing many containers.
	Stats() (Stats, error)
	// Freeze stops every process in the group and returns once all are
	// frozen.
	Freeze() error
	// Thaw lets a frozen group run again.
	Thaw() error
	// Paused tells whether the group is frozen or being frozen.
	Paused() (bool, error)
	// Kill sends sig to every process in the group. No process escapes
	// by forking meanwhile: the group is frozen while the signal is sent
	// (v2 uses cgroup.kill for SIGKILL). A group that was paused stays
	// paused, except after SIGKILL, which needs the processes running to
	// take effect.
	Kill(sig unix.Signal) error
	// Destroy kills whatever still runs in the group and removes its
	// directories. A group that does not exist is no error. The parent
	// is left in place: other containers share it.
	Destroy() error
	// Path is the group's path relative to the mount root, e.g.
	// "berth/<id>".
	Path() string
}

// groupPath joins parent and name into a path relative to the mount
// root, refusing anything that would leave it.
func groupPath(parent, name string) (string, error) {
	if name == "" || strings.Contains(name, "/") || name == "." || name == ".." {
		return "", fmt.Errorf("cgroup name %q: %w", name, ErrInvalidPath)
	}
	parent = strings.Trim(parent, "/")
	if parent == "" {
		return name, nil
	}
	for part := range strings.SplitSeq(parent, "/") {
		if part == "" || part == "." || part == ".." {
			return "", fmt.Errorf("cgroup parent %q: %w", parent, ErrInvalidPath)
		}
	}
	return path.Join(parent, name), nil
}

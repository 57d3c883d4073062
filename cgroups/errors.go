package cgroups

import (
	"errors"
	"fmt"
)

var (
	// ErrNoCgroupFS means the mount root holds neither a cgroup v2
	// hierarchy nor any cgroup v1 controller.
	ErrNoCgroupFS = errors.New("no cgroup filesystem")
	// ErrInvalidValue means a Resources field holds a value docker would
	// refuse too (a memory limit below 6 MiB, a bad CPU list, …).
	ErrInvalidValue = errors.New("invalid value")
	// ErrNoController means a limit was asked for whose controller is not
	// available to the group (not mounted on v1, not enabled on v2).
	ErrNoController = errors.New("cgroup controller not available")
	// ErrNoSwapAccounting means a swap limit was asked for but the kernel
	// does not account swap (no memory.memsw.* or memory.swap.* files).
	ErrNoSwapAccounting = errors.New("kernel does not account swap")
	// ErrInvalidPath means a parent or name would leave the mount root or
	// is empty.
	ErrInvalidPath = errors.New("invalid cgroup path")
	// ErrFreezeTimeout means the group did not reach the frozen state in
	// time; it has been thawed again.
	ErrFreezeTimeout = errors.New("timed out waiting for cgroup to freeze")
	// ErrNotExist means the group does not exist (never created, or
	// destroyed).
	ErrNotExist = errors.New("cgroup does not exist")
)

// SettingError names the resource setting that could not be applied, with
// the name docker gives its flag ("memory", "cpuset-cpus", …), so that
// callers can point the user at the flag they passed.
type SettingError struct {
	Setting string // docker's flag name without dashes: "memory", "memory-swap", "cpu-quota", …
	Value   string // the value as asked for
	Err     error  // ErrInvalidValue, ErrNoController, ErrNoSwapAccounting or the kernel's error
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("cgroup setting %s=%s: %v", e.Setting, e.Value, e.Err)
}

func (e *SettingError) Unwrap() error { return e.Err }

// Package cgroups puts a container's processes into a control group and
// manages it: resource limits, statistics, freeze and thaw, and killing
// every process in it. It hides the difference between cgroup v1 (one
// hierarchy per controller, as on this project's build machine) and cgroup
// v2 (one unified hierarchy, as on most laptops) behind one Manager.
//
// Start reading at manager.go: New detects the version under the mount root
// the caller passes in and returns a v1 or v2 Manager (v1_linux.go,
// v2_linux.go). What each Resources field turns into is decided by pure
// functions in resources.go (one list of file writes per version, table
// tested); stats.go parses the kernel's stat files without allocating,
// because the engine reads stats of every container once a second.
//
// Device rules (devices.go) are a resource like the others: v1 writes
// them to the devices controller, v2 compiles them into an eBPF device
// program (devicefilter.go, a pure function with table tests) and
// attaches it to the group (devices_v2_linux.go). The nodes in the
// container's /dev are made by containerinit, not here.
//
// The package never hard-codes /sys/fs/cgroup: the mount root is always
// passed in. It does not use systemd and does not apply block I/O
// limits.
package cgroups

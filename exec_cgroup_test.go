package main

import "testing"

// TestExecJoinsContainerCgroup: an exec'd command runs in every cgroup
// of the container, as its PID 1 does, also when the container is at its
// PID limit (a move into a group is not limited by pids.max: the entering
// process must not need a PID of the container's for its own threads).
func TestExecJoinsContainerCgroup(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	b.must("run", "-d", "--name", "box", "--network", "none", "--pids-limit", "1", "--cpuset-cpus", "0",
		"busybox", "sleep", "1000")
	init := b.must("exec", "box", "cat", "/proc/1/cgroup")
	if self := b.must("exec", "box", "cat", "/proc/self/cgroup"); self != init {
		t.Errorf("the exec'd command's cgroups:\n%s\nthe container's:\n%s", self, init)
	}
	if got := b.must("exec", "box", "grep", "Cpus_allowed_list", "/proc/self/status"); got != "Cpus_allowed_list:\t0\n" {
		t.Errorf("the exec'd command may run on %q, want the container's CPU 0", got)
	}
}

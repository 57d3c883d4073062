package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

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

// TestRunJoinsContainerCgroup: a container's command, run directly or
// under --init, is in every cgroup v1 hierarchy of the container, the one
// its init joins through the tasks files rather than be moved by PID;
// and at --pids-limit 1 the command alone is in it.
func TestRunJoinsContainerCgroup(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	host, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	want := 0 // the hierarchies with controllers: the ones a container's group is made in
	for _, line := range strings.Split(strings.TrimSpace(string(host)), "\n") {
		if f := strings.SplitN(line, ":", 3); len(f) == 3 && f[1] != "" && !strings.HasPrefix(f[1], "name=") {
			want++
		}
	}
	// The container's hostname is its short ID, which its group's path
	// ends with; shell builtins alone, as a fork has no PID to spare.
	count := `n=0; while read l; do case "$l" in *"/` + b.parent + `/$HOSTNAME"*) n=$((n+1));; esac; done </proc/self/cgroup; echo $n`
	for _, args := range [][]string{
		{"--pids-limit", "1"},
		{"--init", "--pids-limit", "64"},
	} {
		run := append(append([]string{"run", "--rm", "--network", "none"}, args...), "busybox", "sh", "-c", count)
		if got := strings.TrimSpace(b.must(run...)); got != strconv.Itoa(want) {
			t.Errorf("run %v: the command is in %s of the container's groups, want %d", args, got, want)
		}
	}
}

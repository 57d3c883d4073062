package nsenter

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// v1Group makes a cgroup of the test's own in the v1 hierarchy of ctrl
// and returns its path below the hierarchy's root and its directory; it
// skips the test where ctrl has no v1 hierarchy.
func v1Group(t *testing.T, ctrl string) (rel, dir string) {
	t.Helper()
	root := filepath.Join("/sys/fs/cgroup", ctrl)
	if _, err := os.Stat(filepath.Join(root, "tasks")); err != nil {
		t.Skipf("no cgroup v1 %s hierarchy", ctrl)
	}
	rel = fmt.Sprintf("berth-nsenter-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), os.Getpid())
	dir = filepath.Join(root, rel)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Remove(dir); err != nil {
			t.Errorf("clean up: %v", err)
		}
	})
	return "/" + rel, dir
}

// The command runs in the groups whose tasks files the entering process
// is given, even in a group at its PID limit, which a move by PID
// ignores too: the entering process's threads must not count against it.
func TestEnterJoinsCgroupTasks(t *testing.T) {
	t.Parallel()
	pidsRel, pidsDir := v1Group(t, "pids")
	memRel, memDir := v1Group(t, "memory")
	if err := os.WriteFile(filepath.Join(pidsDir, "pids.max"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg := startTarget(t)
	cmd := Command(Config{Pid: tg.pid, Args: []string{busybox, "cat", "/proc/self/cgroup"},
		CgroupTasks: []string{filepath.Join(pidsDir, "tasks"), filepath.Join(memDir, "tasks")}})
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, want := range []string{":pids:" + pidsRel + "\n", ":memory:" + memRel + "\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("/proc/self/cgroup of the command:\n%s\nwant a line ending in %q", out.String(), want)
		}
	}
}

// A group the process cannot join fails Start before the command runs:
// a new cpuset group has no CPUs yet, so the kernel refuses a task.
func TestEnterCgroupRefused(t *testing.T) {
	t.Parallel()
	_, dir := v1Group(t, "cpuset")
	tg := startTarget(t)
	ran := filepath.Join(t.TempDir(), "ran")
	cfg := Config{Pid: tg.pid, CgroupTasks: []string{filepath.Join(dir, "tasks")}, Args: []string{busybox, "touch", ran}}
	cmd := Command(cfg)
	err := cmd.Start()
	if !errors.Is(err, ErrEnter) || !strings.Contains(err.Error(), "cgroup") {
		t.Fatalf("got %v, want ErrEnter about the cgroup", err)
	}
	if cmd.ProcessState == nil {
		t.Fatal("Start failed without reaping its process")
	}
	if _, err := os.Stat(ran); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the command ran: %v", err)
	}
}

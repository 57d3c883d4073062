package engine

import (
	"os/exec"
	"syscall"
	"testing"
)

func TestShimWatchFollowsTheProcess(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	start := processStartTime(pid)
	if start == 0 {
		t.Fatalf("no start time for %d", pid)
	}
	var w shimWatch
	for i := range 2 { // the first reads /proc, the second polls the pidfd
		if !w.alive(pid, start) {
			t.Fatalf("answer %d: a running process is not alive", i)
		}
	}
	if len(w.fds) != 1 {
		t.Errorf("watching %d pidfds, want 1", len(w.fds))
	}
	if w.alive(pid, start+1) {
		t.Error("another process with the same PID (another start time) is alive")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Not reaped yet: a zombie, gone for processStartTime too. The pidfd
	// is readable once the process has exited, so the answer is at once.
	for processStartTime(pid) != 0 {
		syscall.Gettid() // wait for the signal to land without a timer
	}
	if w.alive(pid, start) {
		t.Error("a killed process is alive")
	}
	if len(w.fds) != 0 {
		t.Errorf("still watching %d pidfds after the process died", len(w.fds))
	}
	_ = cmd.Wait()
	reaped = true
	if w.alive(pid, start) {
		t.Error("a reaped process is alive")
	}
	if !w.alive(0, 0) || w.alive(0, 5) {
		t.Error("PID 0 answers unlike processStartTime")
	}
}

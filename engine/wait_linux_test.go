package engine

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// threads is how many OS threads this process has.
func threads(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// Many waits on a live process hold no thread each (a follower of a
// container's log waits so for as long as it follows), and all return
// when it exits; a cancelled wait returns the context's error.
func TestWaitProcessExitHoldsNoThread(t *testing.T) {
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid
	start := processStartTime(pid)

	before := threads(t)
	const waiters = 40
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting, done := make(chan struct{}, waiters), make(chan error, waiters)
	for range waiters {
		go func() {
			waiting <- struct{}{}
			done <- waitProcessExit(ctx, pid, start)
		}()
	}
	for range waiters {
		<-waiting
	}
	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if err := waitProcessExit(cancelled, pid, start); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
	if n := threads(t); n-before >= waiters/2 {
		t.Errorf("%d waits took %d threads", waiters, n-before)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // killed: the exit status says so
	for range waiters {
		if err := <-done; err != nil {
			t.Errorf("wait: %v", err)
		}
	}
}

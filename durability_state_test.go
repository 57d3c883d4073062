package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of issue 10, point 5: one state machine. Through the real CLI:
// wait returns only once the container is stopped for good, so wait && rm
// never fails; stop -t -1 waits as long as it takes; a frozen cgroup never
// makes start hang; a name left by a create that died is reclaimed.

// tryWithin runs berth and fails the test when it has not returned within
// d: the bugs these tests guard against are hangs.
func (b *berthEnv) tryWithin(t *testing.T, d time.Duration, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out, errb strings.Builder
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = b.env
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("berth %s hung (no answer within %v)", strings.Join(args, " "), d)
	}
	return out.String(), errb.String(), err
}

// inspectState is the State of docker inspect.
type inspectState struct {
	Status                            string
	Running, Paused, Restarting, Dead bool
	ExitCode                          int
	Pid                               int
}

func (b *berthEnv) inspectState(t *testing.T, name string) inspectState {
	t.Helper()
	var st inspectState
	if err := json.Unmarshal([]byte(b.must("inspect", "--format", "{{json .State}}", name)), &st); err != nil {
		t.Fatalf("inspect %s: %v", name, err)
	}
	return st
}

// cgroupDirs are the directories of group parent/id in every hierarchy
// (one on cgroup v2).
func cgroupDirs(parent, id string) []string {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent, id))
	if d := filepath.Join("/sys/fs/cgroup", parent, id); isDir(d) {
		dirs = append(dirs, d)
	}
	return dirs
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// TestWaitThenRmNeverFails loops `berth wait c && berth rm c`: rm must
// never find the container running, and after wait its cgroup is gone.
// With --rm, wait returns the exit code and the container is gone.
func TestWaitThenRmNeverFails(t *testing.T) {
	b := newFaultEnv(t)
	deadline := time.Now().Add(2 * time.Minute)
	n := 0
	for ; n < 100 && time.Now().Before(deadline); n++ {
		name := fmt.Sprintf("w%d", n)
		args := []string{"run", "-d", "--pull", "never", "--name", name}
		autoRemove := n%10 == 9
		if autoRemove {
			args = append(args, "--rm")
		}
		// A --rm container lives until wait has found it.
		script := "exit 3"
		if autoRemove {
			script = "sleep 1; exit 3"
		}
		id := strings.TrimSpace(b.must(append(args, "busybox", "sh", "-c", script)...))
		out, errOut, err := b.tryWithin(t, time.Minute, "wait", name)
		if err != nil || strings.TrimSpace(out) != "3" {
			t.Fatalf("cycle %d: wait %s: %q, %v: %s", n, name, out, err, errOut)
		}
		if dirs := cgroupDirs(b.parent, id); len(dirs) > 0 {
			t.Fatalf("cycle %d: wait returned with the cgroup still there: %v", n, dirs)
		}
		if autoRemove {
			if _, ok := b.psStates()[name]; ok {
				t.Fatalf("cycle %d: wait returned before --rm removed %s", n, name)
			}
			continue
		}
		if _, errOut, err := b.tryWithin(t, time.Minute, "rm", name); err != nil {
			t.Fatalf("cycle %d: wait %s && rm %s: rm failed: %v: %s", n, name, name, err, errOut)
		}
	}
	if n < 25 {
		t.Fatalf("only %d wait+rm cycles in the time allowed", n)
	}
	t.Logf("%d wait+rm cycles, none failed", n)
}

// waitReady waits until the container has made /ready: its signal
// handling is in place.
func (b *berthEnv) waitReady(t *testing.T, name string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if _, _, err := b.try("exec", name, "test", "-f", "/ready"); err == nil {
			return
		}
	}
	t.Fatalf("%s never made /ready", name)
}

// TestStopTimeoutMinusOne: -t -1 and --stop-timeout -1 wait as long as the
// container takes, as docker's; they never kill at once.
func TestStopTimeoutMinusOne(t *testing.T) {
	b := newFaultEnv(t)
	t.Run("stop -t -1 until a later kill", func(t *testing.T) {
		b.must("run", "-d", "--pull", "never", "--name", "stubborn", "busybox", "sh", "-c",
			`trap "" TERM; touch /ready; while :; do sleep 0.1; done`)
		b.waitReady(t, "stubborn")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		stop := exec.CommandContext(ctx, b.bin, "stop", "-t", "-1", "stubborn")
		stop.Env = b.env
		var stopErr strings.Builder
		stop.Stderr = &stopErr
		if err := stop.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- stop.Wait() }()
		select {
		case err := <-done:
			t.Fatalf("stop -t -1 returned before the container stopped: %v: %s", err, stopErr.String())
		case <-time.After(3 * time.Second):
		}
		if st := b.inspectState(t, "stubborn"); st.Status != "running" {
			t.Fatalf("after 3 s of stop -t -1 the container is %q, want still running", st.Status)
		}
		b.must("kill", "stubborn")
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("stop -t -1 after kill: %v: %s", err, stopErr.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("stop -t -1 did not return after the container was killed")
		}
		if st := b.inspectState(t, "stubborn"); st.Status != "exited" || st.ExitCode != 137 {
			t.Errorf("after kill: %+v, want exited 137", st)
		}
	})
	t.Run("--stop-timeout -1 until the handler exits", func(t *testing.T) {
		b.must("run", "-d", "--pull", "never", "--stop-timeout", "-1", "--name", "slow", "busybox", "sh", "-c",
			`trap "sleep 2; exit 7" TERM; touch /ready; while :; do sleep 0.1; done`)
		b.waitReady(t, "slow")
		start := time.Now()
		if _, errOut, err := b.tryWithin(t, time.Minute, "stop", "slow"); err != nil {
			t.Fatalf("stop: %v: %s", err, errOut)
		}
		if took := time.Since(start); took < 2*time.Second {
			t.Errorf("stop returned after %v, before the handler's 2 s sleep", took)
		}
		if st := b.inspectState(t, "slow"); st.Status != "exited" || st.ExitCode != 7 {
			t.Errorf("after stop: %+v, want exited 7 (its TERM handler's code, not killed)", st)
		}
	})
}

// freeze freezes the group parent/id directly, as something other than
// berth would (or a shim that died halfway through pause).
func freeze(t *testing.T, parent, id string, frozen bool) {
	t.Helper()
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		v := "0"
		if frozen {
			v = "1"
		}
		if err := os.WriteFile(filepath.Join("/sys/fs/cgroup", parent, id, "cgroup.freeze"), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	v := "THAWED"
	if frozen {
		v = "FROZEN"
	}
	if err := os.WriteFile(filepath.Join("/sys/fs/cgroup/freezer", parent, id, "freezer.state"), []byte(v), 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeFrozenGroup makes the group parent/id (in the freezer hierarchy on
// v1) and freezes it: what a shim that died while paused leaves when its
// group could not be removed.
func makeFrozenGroup(t *testing.T, parent, id string) {
	t.Helper()
	dir := filepath.Join("/sys/fs/cgroup", parent, id)
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
		dir = filepath.Join("/sys/fs/cgroup/freezer", parent, id)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if isDir(dir) {
			freeze(t, parent, id, false)
			os.Remove(dir)
		}
	})
	freeze(t, parent, id, true)
}

// TestStartFrozenContainer: a container whose cgroup is frozen behind
// berth's back never makes start, unpause or rm -f hang.
func TestStartFrozenContainer(t *testing.T) {
	b := newFaultEnv(t)
	t.Run("running, frozen by hand", func(t *testing.T) {
		id := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--name", "icy", "busybox", "sleep", "1000"))
		freeze(t, b.parent, id, true)
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "start", "icy"); err != nil {
			t.Fatalf("start of a running container whose group is frozen: %v: %s", err, errOut)
		}
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "unpause", "icy"); err != nil {
			t.Fatalf("unpause of a container frozen by hand: %v: %s", err, errOut)
		}
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "exec", "icy", "true"); err != nil {
			t.Fatalf("exec after unpause (still frozen?): %v: %s", err, errOut)
		}
		freeze(t, b.parent, id, true)
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "rm", "-f", "icy"); err != nil {
			t.Fatalf("rm -f of a frozen container: %v: %s", err, errOut)
		}
		if dirs := cgroupDirs(b.parent, id); len(dirs) > 0 {
			t.Errorf("rm -f left its cgroup: %v", dirs)
		}
	})
	t.Run("stopped, group left frozen", func(t *testing.T) {
		id := strings.TrimSpace(b.must("create", "--pull", "never", "--name", "thawme", "busybox", "sh", "-c", "echo thawed"))
		makeFrozenGroup(t, b.parent, id)
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "start", "thawme"); err != nil {
			t.Fatalf("start into a frozen group: %v: %s", err, errOut)
		}
		if out, errOut, err := b.tryWithin(t, 30*time.Second, "wait", "thawme"); err != nil || strings.TrimSpace(out) != "0" {
			t.Fatalf("wait: %q, %v: %s", out, err, errOut)
		}
		if out := b.must("logs", "thawme"); strings.TrimSpace(out) != "thawed" {
			t.Errorf("logs %q, want thawed", out)
		}
		b.must("rm", "thawme")
	})
	t.Run("paused, its shim killed", func(t *testing.T) {
		id := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--name", "orphaned", "busybox", "sleep", "1000"))
		b.must("pause", "orphaned")
		shim := shimPID(t, b, id)
		shimStart := procStart(shim)
		if err := syscall.Kill(shim, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if !waitGone(shim, shimStart) {
			t.Fatalf("shim %d did not die", shim)
		}
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "start", "orphaned"); err != nil {
			t.Fatalf("start after the shim died while paused: %v: %s", err, errOut)
		}
		if st := b.inspectState(t, "orphaned"); st.Status != "running" || st.Paused {
			t.Errorf("after start: %+v, want running", st)
		}
		if _, errOut, err := b.tryWithin(t, 30*time.Second, "rm", "-f", "orphaned"); err != nil {
			t.Fatalf("rm -f: %v: %s", err, errOut)
		}
	})
}

// shimPID reads the PID of container id's shim from its record.
func shimPID(t *testing.T, b *berthEnv, id string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.root(), "containers", id, "container.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ BerthShimPid int }
	if err := json.Unmarshal(data, &rec); err != nil || rec.BerthShimPid == 0 {
		t.Fatalf("no shim PID in the record of %s: %v", id, err)
	}
	return rec.BerthShimPid
}

// TestStaleNameReclaimed: a name reserved by a create that died before it
// saved the record is taken by the next create of that name, and what the
// dead create made is removed.
func TestStaleNameReclaimed(t *testing.T) {
	b := newFaultEnv(t)
	t.Run("left by hand", func(t *testing.T) {
		// What a create killed after making its directory leaves.
		stale := strings.Repeat("5", 12) + strings.Repeat("e", 52)
		if err := os.WriteFile(filepath.Join(b.root(), "names", "web"), []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(b.root(), "containers", stale, "rootfs"), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, errOut, err := b.try("create", "--pull", "never", "--name", "web", "busybox", "true"); err != nil {
			t.Fatalf("create with a stale name: %v: %s", err, errOut)
		}
		if _, err := os.Stat(filepath.Join(b.root(), "containers", stale)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the dead create's directory is left (%v)", err)
		}
		b.must("start", "web")
		b.must("wait", "web")
		b.must("rm", "web")
	})
	t.Run("creates killed", func(t *testing.T) {
		for i := range 12 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			create := exec.CommandContext(ctx, b.bin, "create", "--pull", "never", "--name", "victim", "busybox", "true")
			create.Env = b.env
			if err := create.Start(); err != nil {
				cancel()
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
			create.Process.Kill()
			create.Wait()
			cancel()
			_, errOut, err := b.try("create", "--pull", "never", "--name", "victim", "busybox", "true")
			if err != nil && !strings.Contains(errOut, "already in use") {
				t.Fatalf("round %d: create after a killed create: %v: %s", i, err, errOut)
			}
			if err != nil { // the killed create had finished: its container has the name
				if st := b.inspectState(t, "victim"); st.Status != "created" {
					t.Fatalf("round %d: the name is in use by %+v", i, st)
				}
			}
			b.must("rm", "victim")
		}
		ents, err := os.ReadDir(filepath.Join(b.root(), "containers"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if _, err := os.Stat(filepath.Join(b.root(), "containers", e.Name(), "container.json")); err != nil {
				t.Errorf("container directory %s without a record is left", e.Name())
			}
		}
		if _, err := os.Stat(filepath.Join(b.root(), "names", "victim")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the name victim is still reserved (%v)", err)
		}
	})
}

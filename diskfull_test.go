package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/internal/diskspace"
	"berth/internal/testenv"
)

// A container's log fills the data root (a small ext4 on a loop device),
// then something else takes the last block: every way of taking control
// still works, the log says what it dropped, run refuses cleanly, and the
// log writes again once there is room.
func TestFullDiskKeepsControl(t *testing.T) {
	mnt := testenv.LoopFilesystem(t, 64<<20)
	root := filepath.Join(mnt, "root")
	b := newBerthEnvRoot(t, root, nil)

	// Made while there is room; the two `yes` flood their logs, the others
	// print slowly. No network: this host may hold other tests' bridges
	// on the subnets newBerthEnv picks, and none is needed here.
	ticker := []string{"sh", "-c", "while :; do echo tick; usleep 10000; done"}
	for name, cmd := range map[string][]string{
		"flood": {"yes"}, "resumes": {"yes"}, "killme": ticker, "rmme": ticker,
	} {
		b.must(append([]string{"create", "--name", name, "--network", "none", "busybox"}, cmd...)...)
	}
	b.must("start", "flood")
	waitFor(t, "flood's log to stop at the free-space floor", 60*time.Second, func() bool {
		return bytes.Contains(readLog(t, b, "flood"), []byte("berth: stopped writing this log"))
	})
	b.must("start", "resumes", "killme", "rmme")
	pids := map[string]string{}
	for _, name := range []string{"flood", "resumes", "killme", "rmme"} {
		pids[name] = b.inspect(".State.Pid", name)
	}
	testenv.FillFile(t, filepath.Join(mnt, "filler"))
	if free, err := diskspace.Free(mnt); err != nil || free > 64<<10 {
		t.Fatalf("after filling the disk: %d bytes free, %v", free, err)
	}

	// run refuses, says why, and leaves nothing.
	out, err := b.cmd("run", "--rm", "busybox", "true").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 125 || !strings.Contains(string(out), "no space left on device: the data root") {
		t.Errorf("run on a full disk: %v: %s; want exit 125 and the data root out of space", err, out)
	}
	for _, dir := range []string{"containers", "names"} {
		if ents, err := os.ReadDir(filepath.Join(root, dir)); err != nil || len(ents) != 4 {
			t.Errorf("%s after a refused run: %d entries, %v; want the 4 containers'", dir, len(ents), err)
		}
	}

	b.must("pause", "resumes")
	if got := b.inspect(".State.Status", "resumes"); got != "paused" {
		t.Errorf("resumes after pause: %s", got)
	}
	b.must("unpause", "resumes")
	if got := b.inspect(".State.Status", "resumes"); got != "running" {
		t.Errorf("resumes after unpause: %s", got)
	}

	// kill does not wait for the exit to be recorded (docker's neither):
	// the shim records it after it has reaped the process and drained
	// its output, so the record is awaited, not the process.
	b.must("kill", "killme")
	waitProcessGone(t, "killme", pids["killme"])
	var got string
	waitFor(t, "killme's exit to be recorded", 10*time.Second, func() bool {
		got = b.inspect(".State.Status}} {{.State.ExitCode", "killme")
		return got != "running 0"
	})
	if got != "exited 137" {
		t.Errorf("killme after kill: %s, want exited 137", got)
	}

	// yes is PID 1 and ignores SIGTERM: stop kills it after the timeout.
	b.must("stop", "-t", "1", "flood")
	waitProcessGone(t, "flood", pids["flood"])
	if got := b.inspect(".State.Status}} {{.State.ExitCode", "flood"); got != "exited 137" {
		t.Errorf("flood after stop: %s, want exited 137", got)
	}

	id := b.inspect(".ID", "rmme")
	b.must("rm", "-f", "rmme")
	waitProcessGone(t, "rmme", pids["rmme"])
	if out, err := b.cmd("inspect", "rmme").CombinedOutput(); err == nil {
		t.Errorf("rmme inspected after rm -f: %s", out)
	}
	if cgs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", b.parent, id)); len(cgs) > 0 {
		t.Errorf("rmme's cgroup left behind: %v", cgs)
	}
	if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", b.parent, id)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rmme's cgroup left behind: %v", err)
	}

	out, err = b.cmd("logs", "flood").CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("y\ny\n")) ||
		!bytes.Contains(out, []byte("berth: stopped writing this log: less than 32MiB free on its filesystem")) {
		t.Errorf("logs of flood: %v: %d bytes beginning %.40q; want y lines and a note of the drop", err, len(out), out)
	}

	// Room again (the filler, and flood with its log): resumes notes
	// what it dropped and logs anew.
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	b.must("rm", "flood")
	waitFor(t, "resumes's log to write again", 30*time.Second, func() bool {
		log := readLog(t, b, "resumes")
		i := bytes.Index(log, []byte("berth: dropped "))
		return i >= 0 && bytes.Contains(log[i:], []byte(`{"log":"y\n","stream":"stdout"`))
	})
	b.must("rm", "-f", "resumes", "killme")
}

// readLog is a container's live log file as it is now.
func readLog(t *testing.T, b *berthEnv, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(b.inspect(".LogPath", name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return data
}

// waitProcessGone waits until the host process pid (a container's PID 1) is gone.
func waitProcessGone(t *testing.T, name, pid string) {
	t.Helper()
	waitFor(t, name+"'s process "+pid+" to end", 10*time.Second, func() bool {
		_, err := os.Stat(filepath.Join("/proc", pid))
		return errors.Is(err, fs.ErrNotExist)
	})
}

func waitFor(t *testing.T, what string, timeout time.Duration, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !done(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, timeout)
		}
	}
}

// With the reserve spent as well (a disk full beyond it), stop, kill and
// rm -f still take effect, since the signal never waits for the record:
// what the shim could not save is derived from it being gone, and inspect
// says exited. pause either works or is undone and says why.
func TestFullDiskBeyondReserve(t *testing.T) {
	mnt := testenv.LoopFilesystem(t, 64<<20)
	root := filepath.Join(mnt, "root")
	b := newBerthEnvRoot(t, root, nil)
	ticker := []string{"sh", "-c", "while :; do echo tick; usleep 10000; done"}
	names := []string{"stopme", "killme", "rmme", "pauseme"}
	pids := map[string]string{}
	for _, name := range names {
		b.must(append([]string{"run", "-d", "--name", name, "--network", "none", "busybox"}, ticker...)...)
		pids[name] = b.inspect(".State.Pid", name)
	}
	if err := os.Remove(filepath.Join(root, "reserve")); err != nil {
		t.Fatal(err)
	}
	testenv.FillFile(t, filepath.Join(mnt, "filler"))
	if free, err := diskspace.Free(mnt); err != nil || free > 64<<10 {
		t.Fatalf("after filling the disk: %d bytes free, %v", free, err)
	}

	out, err := b.cmd("pause", "pauseme").CombinedOutput()
	t.Logf("pause beyond the reserve: %v: %s", err, bytes.TrimSpace(out))
	switch status := b.inspect(".State.Status", "pauseme"); {
	case err == nil && status != "paused":
		t.Errorf("pause succeeded, but pauseme is %s", status)
	case err != nil && (status != "running" || !strings.Contains(string(out), "no space left on device")):
		t.Errorf("pause failed (%v: %s), and pauseme is %s; want it undone, running, and the reason", err, out, status)
	}

	b.must("kill", "killme")
	waitProcessGone(t, "killme", pids["killme"])
	b.must("stop", "-t", "1", "stopme")
	waitProcessGone(t, "stopme", pids["stopme"])
	for _, name := range []string{"killme", "stopme"} {
		if got := b.inspect(".State.Status}} {{.State.Running", name); got != "exited false" {
			t.Errorf("%s: %s, want exited", name, got)
		}
		t.Logf("%s: %s", name, b.inspect(".State.Status}} {{.State.ExitCode}} {{.State.Error", name)) // 255: the shim could not save the exit
	}

	// The rootfs is renamed into a new directory before it is removed,
	// which may find no block: then rm -f says so, and works once there
	// is room. The container's processes are gone either way.
	out, err = b.cmd("rm", "-f", "rmme").CombinedOutput()
	t.Logf("rm -f beyond the reserve: %v: %s", err, bytes.TrimSpace(out))
	waitProcessGone(t, "rmme", pids["rmme"])
	if err != nil && !strings.Contains(string(out), "no space left on device") {
		t.Errorf("rm -f on a disk full beyond the reserve: %v: %s", err, out)
	}
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		b.must("rm", "-f", "rmme")
	}
	if out, err := b.cmd("inspect", "rmme").CombinedOutput(); err == nil {
		t.Errorf("rmme inspected after rm -f: %s", out)
	}
}

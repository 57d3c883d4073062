package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// psFormat is every ps placeholder but the size.
const psFormat = "{{.ID}}|{{.Names}}|{{.Image}}|{{.Command}}|{{.Status}}|{{.State}}|{{.Ports}}|{{.Labels}}|{{.Mounts}}|{{.Networks}}|{{.LocalVolumes}}|{{.CreatedAt}}"

// psDurations are the parts of ps's STATUS that change with the clock.
var psDurations = regexp.MustCompile(`Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes?|hours?)`)

// psSnapshotEnv is a berth with its list snapshot at hand.
type psSnapshotEnv struct {
	*berthEnv
	snapshot string
}

func newPsSnapshotEnv(t *testing.T) psSnapshotEnv {
	b := newBerthEnv(t)
	var root string
	for _, kv := range b.env {
		if v, ok := strings.CutPrefix(kv, "BERTH_ROOT="); ok {
			root = v
		}
	}
	return psSnapshotEnv{berthEnv: b, snapshot: filepath.Join(root, "containers.list")}
}

// ps is `ps -a --no-trunc` with every placeholder, the clock's part of
// STATUS left out.
func (b psSnapshotEnv) ps() string {
	return psDurations.ReplaceAllString(b.must("ps", "-a", "--no-trunc", "--format", psFormat), "T")
}

// check is ps from the snapshot the last check left and the events
// since, against ps with no snapshot (which reads every record), and
// then from the snapshot that one wrote.
func (b psSnapshotEnv) check(t *testing.T, step string) {
	t.Helper()
	if _, err := os.Stat(b.snapshot); err != nil {
		t.Fatalf("%s: no snapshot to list from: %v", step, err)
	}
	got := b.ps()
	if err := os.Remove(b.snapshot); err != nil {
		t.Fatal(err)
	}
	want := b.ps()
	if got != want {
		t.Fatalf("%s: ps from the snapshot and the events:\n%s\nps reading every record:\n%s", step, got, want)
	}
	if again := b.ps(); again != want {
		t.Fatalf("%s: ps from a snapshot just written:\n%s\nps reading every record:\n%s", step, again, want)
	}
}

// shimPID is the PID of the monitor the record of name names.
func (b psSnapshotEnv) shimPID(t *testing.T, name string) int {
	t.Helper()
	id := strings.TrimSpace(b.must("inspect", "--format", "{{.Id}}", name))
	data, err := os.ReadFile(filepath.Join(filepath.Dir(b.snapshot), "containers", id, "container.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ BerthShimPid int }
	if err := json.Unmarshal(data, &rec); err != nil || rec.BerthShimPid <= 0 {
		t.Fatalf("the monitor of %s: %d, %v", name, rec.BerthShimPid, err)
	}
	return rec.BerthShimPid
}

func (b psSnapshotEnv) waitStatus(t *testing.T, name, status string) {
	t.Helper()
	waitFor(t, name+" "+status, time.Minute, func() bool {
		return strings.TrimSpace(b.must("inspect", "--format", "{{.State.Status}}", name)) == status
	})
}

// ps lists from the snapshot and the events since what reading every
// record lists, while other processes create, start, stop, rename,
// pause, update and remove containers, healthchecks change status, a
// container's start fails, its monitor is killed, and networks are
// connected and disconnected.
func TestPsFollowsChangesBySnapshot(t *testing.T) {
	b := newPsSnapshotEnv(t)
	if _, err := os.Stat(b.snapshot); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a snapshot before any list: %v", err)
	}
	b.ps()
	b.must("create", "--name", "one", "--network", "none", "busybox", "sleep", "1000")
	b.must("create", "--name", "two", "--network", "none", "--label", "tier=front", "-v", "data:/data", "busybox", "sleep", "1000")
	b.check(t, "create")
	b.must("start", "one")
	b.check(t, "start")
	b.must("run", "-d", "--name", "quick", "--network", "none", "busybox", "sh", "-c", "exit 3")
	b.waitStatus(t, "quick", "exited")
	b.check(t, "exit of its own")
	b.must("rename", "two", "deux")
	b.check(t, "rename")
	b.must("run", "-d", "--name", "web", "--network", "none", "--health-cmd", "test -e /tmp/ok",
		"--health-interval", "50ms", "--health-retries", "1", "busybox", "sleep", "1000")
	b.waitHealth(t, "web", "unhealthy")
	b.check(t, "unhealthy")
	b.must("exec", "web", "touch", "/tmp/ok")
	b.waitHealth(t, "web", "healthy")
	b.check(t, "healthy")
	b.must("pause", "one")
	b.check(t, "pause")
	b.must("unpause", "one")
	b.check(t, "unpause")
	b.must("update", "--restart", "unless-stopped", "deux")
	b.check(t, "update")
	// Its first run removes its own command: the next start fails.
	b.must("run", "--name", "bad", "--network", "none", "--entrypoint", "/bin/rm", "busybox", "/bin/rm")
	b.check(t, "ran once")
	if out, err := b.berth("start", "bad").CombinedOutput(); err == nil {
		t.Fatalf("start of a container without its command: %s", out)
	}
	b.check(t, "failed start")
	b.must("stop", "-t", "0", "one")
	b.check(t, "stop")
	pid := b.shimPID(t, "web")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the monitor gone", time.Minute, func() bool { return syscall.Kill(pid, 0) != nil })
	b.check(t, "monitor killed")
	b.must("network", "create", "front")
	b.must("run", "-d", "--name", "netc", "-p", "127.0.0.1::80", "busybox", "sleep", "1000")
	b.check(t, "bridged, published")
	b.must("network", "connect", "front", "netc")
	b.check(t, "connect")
	b.must("network", "disconnect", "front", "netc")
	b.check(t, "disconnect")
	b.must("rm", "-f", "netc", "quick")
	b.check(t, "rm")
	b.must("container", "prune", "-f")
	b.check(t, "prune")
}

package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shownWithin polls the screen until ok holds, failing when that takes
// longer than limit; it returns how long it took.
func (s *tmuxSession) shownWithin(limit time.Duration, what string, ok func(screen string) bool) time.Duration {
	s.t.Helper()
	start := time.Now()
	for {
		scr := s.capture()
		if ok(scr) {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			s.t.Fatalf("%s not shown within %v; the screen is:\n%s", what, limit, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// screenRow is the screen's line of the container name, "" when none shows.
func screenRow(scr, name string) string {
	for _, l := range strings.Split(scr, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == name || len(f) > 1 && f[1] == name) {
			return l
		}
	}
	return ""
}

// restartsRE is the end of a row's STATUS and its RESTARTS: "Up 1
// second  2", "Restarting (exit 2) Less than a second ago  3".
var restartsRE = regexp.MustCompile(`(?:ago|seconds?|minutes?|hours?|\))\s+(\d+)\s`)

// TestListFollowsOtherProcesses: what other berth processes do to
// containers (the CLI's run, stop, start, rename, rm; a monitor's
// restart by policy, a healthcheck, a container's own exit) shows in
// the full-screen program's list within about a second, though it no
// longer lists every container each second (containerswatch.go).
func TestListFollowsOtherProcesses(t *testing.T) {
	b := newBerthBinary(t)
	b.must(nil, "run", "-d", "--name", "base", "--network", "none", "busybox", "sleep", "100000")
	s := b.startTUI()
	s.waitText("CONTAINERS 1/1")
	time.Sleep(time.Second) // the follow of the events opens, and every container is listed once more

	const soon = 1500 * time.Millisecond
	has := func(name, text string) func(string) bool {
		return func(scr string) bool { return strings.Contains(screenRow(scr, name), text) }
	}
	step := func(what string, limit time.Duration, ok func(string) bool, args ...string) {
		t.Helper()
		b.must(nil, args...)
		took := s.shownWithin(limit, what, ok)
		t.Logf("%s shown after %v", what, took.Round(time.Millisecond))
	}
	step("a container run by the CLI", soon, has("fresh", "Up"), "run", "-d", "--name", "fresh", "--network", "none", "busybox", "sleep", "100000")
	step("its stop", soon, has("fresh", "Exited (137)"), "stop", "-t", "0", "fresh")
	step("its start", soon, has("fresh", "Up"), "start", "fresh")
	step("its rename", soon, func(scr string) bool { return screenRow(scr, "renamed") != "" && screenRow(scr, "fresh") == "" },
		"rename", "fresh", "renamed")
	step("its removal", soon, func(scr string) bool {
		return screenRow(scr, "renamed") == "" && strings.Contains(scr, "CONTAINERS 1/1")
	},
		"rm", "-f", "renamed")
	step("a container's own exit", time.Second+soon, has("brief", "Exited (3)"),
		"run", "-d", "--name", "brief", "--network", "none", "busybox", "sh", "-c", "sleep 1; exit 3")
	step("a healthcheck's verdict", 500*time.Millisecond+soon, has("sick", "unhealthy"),
		"run", "-d", "--name", "sick", "--network", "none", "--health-cmd", "exit 1", "--health-interval", "500ms", "--health-retries", "1",
		"busybox", "sleep", "100000")
	step("a restart by the monitor", time.Second+soon, func(scr string) bool {
		m := restartsRE.FindStringSubmatch(screenRow(scr, "looper"))
		return m != nil && m[1] != "0"
	}, "run", "-d", "--name", "looper", "--network", "none", "--restart", "always", "busybox", "sh", "-c", "sleep 1; exit 2")

	// A monitor killed says nothing: the stats of the rows on screen,
	// read each second, notice it (and record the container exited).
	id := strings.TrimSpace(b.must(nil, "ps", "-aq", "--no-trunc", "--filter", "name=^base$"))
	data, err := os.ReadFile(filepath.Join(b.root, "containers", id, "container.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ BerthShimPid int }
	if err := json.Unmarshal(data, &rec); err != nil || rec.BerthShimPid <= 0 {
		t.Fatalf("no monitor's PID in the record of %s: %v", id, err)
	}
	if err := syscall.Kill(rec.BerthShimPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	took := s.shownWithin(time.Second+soon, "a monitor's death", has("base", "Exited (255)"))
	t.Logf("a monitor's death shown after %v", took.Round(time.Millisecond))
}

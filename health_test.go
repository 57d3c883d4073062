package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Healthchecks, run by the shim inside the container.

// health is a container's State.Health as inspect shows it.
type health struct {
	Status        string
	FailingStreak int
	Log           []struct {
		Start, End time.Time
		ExitCode   int
		Output     string
	}
}

func (b *berthEnv) health(name string) *health {
	b.t.Helper()
	var h *health
	if err := json.Unmarshal([]byte(b.inspect("json .State.Health", name)), &h); err != nil {
		b.t.Fatalf("inspect %s: State.Health: %v", name, err)
	}
	return h
}

// waitHealth waits until name's health status is want.
func (b *berthEnv) waitHealth(t *testing.T, name, want string) {
	t.Helper()
	waitFor(t, name+" "+want, time.Minute, func() bool {
		h := b.health(name)
		return h != nil && h.Status == want
	})
}

// psStatus is name's STATUS column in ps.
func (b *berthEnv) psStatus(name string) string {
	return strings.TrimSpace(b.must("ps", "-a", "--filter", "name="+name, "--format", "{{.Status}}"))
}

func TestHealthcheckFlags(t *testing.T) {
	b := newBerthEnv(t)
	start := time.Now().Add(-time.Second).Format(time.RFC3339Nano)
	// Failures do not count during the start period: starting until the
	// first success.
	b.must("run", "-d", "--pull", "never", "--name", "web", "--health-cmd", "echo probing; test -e /tmp/ok",
		"--health-interval", "50ms", "--health-retries", "2", "--health-start-period", "1h", "busybox", "sleep", "1000")
	waitFor(t, "failed probes", time.Minute, func() bool { h := b.health("web"); return h != nil && len(h.Log) >= 2 })
	h := b.health("web")
	if h.Status != "starting" || h.FailingStreak != 0 {
		t.Errorf("failures within the start period: %s, streak %d; want starting, 0", h.Status, h.FailingStreak)
	}
	if st := b.psStatus("web"); !strings.HasPrefix(st, "Up ") || !strings.HasSuffix(st, " (health: starting)") {
		t.Errorf("ps STATUS %q, want Up … (health: starting)", st)
	}
	if got := b.inspect(".State.Health.Status", "web"); got != "starting" {
		t.Errorf(".State.Health.Status %q", got)
	}
	if l := h.Log[0]; l.ExitCode != 1 || l.Output != "probing\n" || l.End.Before(l.Start) {
		t.Errorf("log entry %+v, want exit code 1, output probing", l)
	}

	b.must("exec", "web", "touch", "/tmp/ok")
	b.waitHealth(t, "web", "healthy")
	if st := b.psStatus("web"); !strings.HasSuffix(st, " (healthy)") {
		t.Errorf("ps STATUS %q, want Up … (healthy)", st)
	}
	if got := strings.TrimSpace(b.must("ps", "-f", "health=healthy", "--format", "{{.Names}}")); got != "web" {
		t.Errorf("ps -f health=healthy: %q", got)
	}
	if got := strings.TrimSpace(b.must("ps", "-f", "health=starting", "--format", "{{.Names}}")); got != "" {
		t.Errorf("ps -f health=starting: %q", got)
	}

	// Healthy once, failures count: unhealthy after two.
	b.must("exec", "web", "rm", "/tmp/ok")
	b.waitHealth(t, "web", "unhealthy")
	h = b.health("web")
	if h.FailingStreak < 2 || len(h.Log) != 5 {
		t.Errorf("unhealthy with streak %d and %d log entries, want ≥ 2 and 5", h.FailingStreak, len(h.Log))
	}
	if st := b.psStatus("web"); !strings.HasSuffix(st, " (unhealthy)") {
		t.Errorf("ps STATUS %q, want Up … (unhealthy)", st)
	}
	if got := strings.TrimSpace(b.must("ps", "-f", "health=unhealthy", "--format", "{{.Names}}")); got != "web" {
		t.Errorf("ps -f health=unhealthy: %q", got)
	}

	// A restart starts over; a stop ends the probes.
	b.must("restart", "-t", "1", "web")
	if got := b.inspect(".State.Health.Status", "web"); got != "starting" {
		t.Errorf("after restart: %s, want starting", got)
	}
	b.must("stop", "-t", "1", "web")
	if got := b.inspect(".State.Health.Status", "web"); got != "unhealthy" {
		t.Errorf("after stop: %s, want unhealthy (as docker)", got)
	}
	n := len(b.health("web").Log)
	time.Sleep(300 * time.Millisecond) // six intervals: a probe would have run
	if got := b.health("web"); len(got.Log) != n || got.Log[len(got.Log)-1].End.After(time.Now().Add(-300*time.Millisecond)) {
		t.Errorf("probes ran after the stop: %d log entries, was %d", len(got.Log), n)
	}

	events := b.must("events", "--since", start, "--until", time.Now().Format(time.RFC3339Nano),
		"--filter", "container=web", "--format", "{{.Action}}")
	for _, want := range []string{"health_status: healthy", "health_status: unhealthy",
		"exec_create: /bin/sh -c echo probing; test -e /tmp/ok", "exec_start: /bin/sh -c echo probing; test -e /tmp/ok", "exec_die"} {
		if !strings.Contains(events, want+"\n") {
			t.Errorf("events lack %q:\n%s", want, events)
		}
	}
	if got := strings.TrimSpace(b.must("ps", "-a", "-f", "health=none", "--format", "{{.Names}}")); got != "" {
		t.Errorf("ps -f health=none lists %q", got)
	}
}

// TestHealthcheckTimeout: a probe out of time is killed with everything
// it started, and counts as a failure with docker's message.
func TestHealthcheckTimeout(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "slow", "--health-cmd", "sleep 1000 & sleep 1000",
		"--health-interval", "10ms", "--health-timeout", "100ms", "--health-retries", "3", "busybox", "sleep", "1000")
	b.waitHealth(t, "slow", "unhealthy")
	h := b.health("slow")
	l := h.Log[len(h.Log)-1]
	if l.ExitCode != -1 || l.Output != "Health check exceeded timeout (100ms)" {
		t.Errorf("log entry %+v, want exit code -1 and docker's timeout message", l)
	}
	// Three probes ran, each leaving two sleeps had they not been killed.
	pid := b.inspect(".State.Pid", "slow")
	if n := countProcesses(t, pid, "sleep", "1000"); n > 3 {
		t.Errorf("%d sleep 1000 in the container: probes leaked", n)
	}
	// Once the container is gone, so is every probe, launcher included
	// (one is seen first: a probe runs most of the time).
	waitFor(t, "a probe's launcher", time.Minute, func() bool { return launchers(pid) > 0 })
	b.must("rm", "-f", "slow")
	waitFor(t, "the probes' launchers to end", time.Minute, func() bool { return launchers(pid) == 0 })
}

// launchers counts the host processes entering the container whose PID 1
// is pid1 (berth exec's and the probes' launchers).
func launchers(pid1 string) int {
	n := 0
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, proc := range procs {
		env, _ := os.ReadFile(filepath.Join(proc, "environ"))
		if slices.Contains(strings.Split(string(env), "\x00"), "_BERTH_NSENTER="+pid1) {
			n++
		}
	}
	return n
}

// TestHealthcheckLeavesNothing: what a probe starts in the background
// ends with it.
func TestHealthcheckLeavesNothing(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "bg", "--health-cmd", "sleep 1000 & true",
		"--health-interval", "10ms", "busybox", "sleep", "999")
	b.waitHealth(t, "bg", "healthy")
	waitFor(t, "five probes", time.Minute, func() bool { return len(b.health("bg").Log) == 5 })
	// One probe may be running as we look.
	if n := countProcesses(t, b.inspect(".State.Pid", "bg"), "sleep", "1000"); n > 1 {
		t.Errorf("%d sleep 1000 left by probes", n)
	}
}

// countProcesses counts the processes in the PID namespace of host
// process pid1 that run argv.
func countProcesses(t *testing.T, pid1 string, argv ...string) int {
	t.Helper()
	ns, err := os.Readlink(filepath.Join("/proc", pid1, "ns", "pid"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(argv, "\x00") + "\x00"
	n := 0
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, proc := range procs {
		if cmdline, _ := os.ReadFile(filepath.Join(proc, "cmdline")); string(cmdline) != want {
			continue
		}
		if link, _ := os.Readlink(filepath.Join(proc, "ns", "pid")); link == ns {
			n++
		}
	}
	return n
}

func TestHealthcheckFromImage(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	dockerfile := "FROM busybox\nHEALTHCHECK --interval=50ms --retries=1 CMD [\"test\", \"-e\", \"/etc/passwd\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", "-t", "checked", dir)
	if got := b.must("image", "inspect", "--format", "{{json .Config.Healthcheck}}", "checked"); !sameJSON(t, got,
		`{"Test":["CMD","test","-e","/etc/passwd"],"Interval":50000000,"Retries":1}`) {
		t.Errorf("image Healthcheck %s", got)
	}
	b.must("run", "-d", "--pull", "never", "--name", "img", "checked", "sleep", "1000")
	b.waitHealth(t, "img", "healthy")
	if h := b.health("img"); h.Log[0].ExitCode != 0 || h.Log[0].Output != "" {
		t.Errorf("log entry %+v", h.Log[0])
	}
	// The user's flags over the image's: a failing command, the image's
	// interval and retries.
	b.must("run", "-d", "--pull", "never", "--name", "over", "--health-cmd", "exit 1", "checked", "sleep", "1000")
	b.waitHealth(t, "over", "unhealthy")
	if got := b.inspect("json .Config.Healthcheck", "over"); !sameJSON(t, got, `{"Test":["CMD-SHELL","exit 1"],"Interval":50000000,"Retries":1}`) {
		t.Errorf("merged Healthcheck %s", got)
	}
	b.must("run", "-d", "--pull", "never", "--name", "off", "--no-healthcheck", "checked", "sleep", "1000")
	if got := b.inspect("json .State.Health", "off"); got != "null" {
		t.Errorf("--no-healthcheck: State.Health %s, want null", got)
	}
	if got := b.psStatus("off"); strings.Contains(got, "(") {
		t.Errorf("--no-healthcheck: ps STATUS %q", got)
	}
	if got := strings.TrimSpace(b.must("ps", "-f", "health=none", "--format", "{{.Names}}")); got != "off" {
		t.Errorf("ps -f health=none: %q", got)
	}
}

// sameJSON reports whether two JSON texts hold the same value, keys in
// any order.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(g, w)
}

func TestHealthcheckBadFlags(t *testing.T) {
	b := newBerthEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--health-interval", "-1s"}, "--health-interval cannot be negative"},
		{[]string{"--health-retries", "-1"}, "--health-retries cannot be negative"},
		{[]string{"--health-timeout", "500us"}, "Timeout in Healthcheck cannot be less than 1ms"},
		{[]string{"--no-healthcheck", "--health-cmd", "true"}, "--no-healthcheck conflicts with --health-* options"},
	} {
		cmd := b.cmd(append(append([]string{"run", "--pull", "never"}, tt.args...), "busybox", "true")...)
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 125 || !strings.Contains(string(out), tt.want) {
			t.Errorf("run %s: exit %d, %q; want 125 and %q", tt.args, code, out, tt.want)
		}
	}
	if ids := b.must("ps", "-aq"); ids != "" {
		t.Errorf("refused runs left containers: %s", ids)
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/api"
	"berth/engine"
)

// The full-screen program over ssh: berth on this machine (its own
// temporary roots) with a context whose far side is another berth
// (other temporary roots) behind the test's sshd. The far host's
// containers are rows of the same list, with a HOST column, and every
// screen works on them: logs, top (berth's own process table, through
// berth's /berth/v1 endpoints), a shell pane and an attach pane.
func TestAPISSHTUIRemoteHost(t *testing.T) {
	requireTmux(t)
	far := newBerthEnv(t)
	s := newSSHEnv(t, far)
	near := newBerthEnv(t)

	far.must("run", "-d", "--network", "none", "--name", "remote", "busybox", "sh", "-c",
		`echo in-far-$((2*3)) >/marker; while :; do echo far-tick-$((1+1)); dd if=/dev/zero of=/tmp/w bs=64k count=4 2>/dev/null; sleep 0.3; done`)
	far.must("run", "-d", "-it", "--network", "none", "--name", "fartty", "busybox", "sh")
	near.must("run", "-d", "--network", "none", "--name", "nearby", "busybox", "sleep", "600")

	cfgHome := t.TempDir()
	create := near.berth("context", "create", "far", "--docker", "host="+s.url(""))
	create.Env = append(append([]string(nil), near.env...), "XDG_CONFIG_HOME="+cfgHome)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("berth context create far: %v: %s", err, out)
	}
	// A context nothing answers at: the program opens all the same.
	gone := near.berth("context", "create", "gone", "--docker", fmt.Sprintf("host=ssh://root@127.0.0.1:%d", remoteFreePort(t)))
	gone.Env = create.Env
	if out, err := gone.CombinedOutput(); err != nil {
		t.Fatalf("berth context create gone: %v: %s", err, out)
	}

	dir := t.TempDir()
	tm := &tuiTmux{t: t, socket: filepath.Join(dir, "tmux")}
	env := []string{"TERM=xterm-256color", "PATH=" + s.path, "XDG_CONFIG_HOME=" + cfgHome}
	for _, k := range []string{"BERTH_ROOT", "BERTH_RUN_ROOT", "BERTH_CONFIG"} {
		env = append(env, k+"="+envValue(near.env, k))
	}
	stderr := filepath.Join(dir, "stderr")
	cmdline := fmt.Sprintf("env %s %s 2>%s", strings.Join(env, " "), near.bin, stderr)
	tm.start(cmdline)
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(stderr); err == nil && len(b) > 0 {
				t.Logf("the program's stderr:\n%s", b)
			}
		}
		_, _ = tm.tmux("kill-server") // the program and its ssh clients end with their terminal
	})

	// Both hosts, each row with its host.
	tm.waitText("HOST local (1/3)")
	tm.waitFor("the containers of both hosts", func(scr string) bool {
		return regexp.MustCompile(`local +nearby .* Up `).MatchString(scr) &&
			regexp.MustCompile(`far +remote .* Up `).MatchString(scr) &&
			regexp.MustCompile(`far +fartty .* Up `).MatchString(scr)
	})
	tm.waitText("gone")

	// The far host as the current one: the header samples it through
	// berth's own endpoints (its data root's size, not "…").
	tm.send("H")
	tm.waitText("Current host")
	tm.send("j", "Enter")
	tm.waitFor("the far host's header", func(scr string) bool {
		return regexp.MustCompile(`HOST far \(2/3\) .* DISK [0-9]`).MatchString(scr)
	})

	// The far container's logs, lines arriving.
	tm.send("/")
	tm.sendText("remote")
	tm.send("Enter", "l")
	tm.waitText("Logs: remote on far")
	tm.waitText("far-tick-2")

	// Its processes: berth's process table, with disk I/O.
	tm.send("Escape", "t")
	tm.waitText("Top: remote on far")
	tm.waitText("WRITE/s")
	tm.waitText("sh -c echo in-far")

	// A shell in a pane, inside the far container.
	tm.send("Escape", "E")
	tm.waitText("shell: remote on far")
	tm.sendText("cat /marker")
	tm.send("Enter")
	tm.waitText("in-far-6")
	tm.send("C-]", "X")
	tm.waitFor("the shell pane closed", func(scr string) bool { return !strings.Contains(scr, "shell: remote on far") })

	// An attach pane on the far tty container's shell.
	tm.send("Escape", "/")
	tm.send("C-u")
	tm.sendText("fartty")
	tm.send("Enter", "A")
	tm.waitText("attach: fartty on far")
	tm.sendText("echo att-$((3+4))")
	tm.send("Enter")
	tm.waitText("att-7")
	tm.send("C-p", "C-q")
	tm.waitFor("the attach pane detached", func(scr string) bool { return !strings.Contains(scr, "attach: fartty on far") })
	if out := far.must("inspect", "-f", "{{.State.Running}}", "fartty"); strings.TrimSpace(out) != "true" {
		t.Errorf("fartty after the detach: running %q, want true", out)
	}

	tm.send("Escape", "q")
	tm.waitEnd()

	// -H names one host: the program shows it alone.
	tm.start(fmt.Sprintf("env %s %s -H %s 2>%s", strings.Join(env, " "), near.bin, s.url(""), stderr))
	tm.waitFor("the far host alone", func(scr string) bool {
		return regexp.MustCompile(`remote .* Up `).MatchString(scr) && !strings.Contains(scr, "nearby") && !strings.Contains(scr, "HOST")
	})
	tm.send("q")
	tm.waitEnd()
}

// berth's own endpoints on a real far berth over ssh: its process table
// with host PIDs, a signal to one of its processes (and the refusal of
// a process that is not the container's), and the machine's gauges.
func TestAPISSHBerthEndpoints(t *testing.T) {
	far := newBerthEnv(t)
	s := newSSHEnv(t, far)
	far.must("run", "-d", "--network", "none", "--name", "victim", "busybox", "sh", "-c", "sleep 7777 & wait")
	t.Setenv("PATH", s.path)
	c, err := api.Dial(api.Endpoint{Host: s.url("")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	sleepPID := func() int {
		procs, err := c.Top(ctx, "victim")
		if err != nil {
			t.Fatalf("top over ssh: %v", err)
		}
		for _, p := range procs {
			if p.Command == "sleep 7777" {
				return p.HostPID
			}
		}
		return 0
	}
	var pid int
	for pid = sleepPID(); pid == 0; pid = sleepPID() {
		if ctx.Err() != nil {
			t.Fatal("no sleep 7777 in the far container's process table")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := c.SignalProcess(ctx, "victim", os.Getpid(), "KILL"); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("signal of a process outside the container = %v, want engine.ErrInvalidArgument", err)
	}
	if err := c.SignalProcess(ctx, "victim", pid, "SIGKILL"); err != nil {
		t.Fatalf("signal over ssh: %v", err)
	}
	for sleepPID() != 0 {
		if ctx.Err() != nil {
			t.Fatal("sleep 7777 still runs after SIGKILL")
		}
		time.Sleep(50 * time.Millisecond)
	}

	hs, err := c.HostStats(ctx)
	if err != nil || hs.CPUTotal == 0 || hs.NCPU == 0 || hs.MemAvailable == 0 {
		t.Fatalf("host stats over ssh = %+v, %v; want the far side's counters", hs, err)
	}
	if n, err := c.DiskUsage(ctx); err != nil || n <= 0 {
		t.Fatalf("disk usage over ssh = %d, %v", n, err)
	}
	if usage, cpus, err := c.SystemCPUUsage(ctx); err != nil || usage == 0 || cpus == 0 {
		t.Fatalf("system CPU usage over ssh = %d, %d, %v", usage, cpus, err)
	}
	if du, err := c.Images().DiskUsage(); err != nil || len(du.Images) != 1 || du.Images[0].Containers != 1 || du.LayersSize == 0 {
		t.Fatalf("image disk usage over ssh = %+v, %v; want busybox used by victim", du, err)
	}
}

// requireTmux skips a test that needs tmux where it is missing, or
// fails it under CI=true.
func requireTmux(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux missing (apt-get install tmux), and CI=true forbids skipping")
		}
		t.Skip("tmux missing")
	}
}

// tuiTmux is a private tmux server (its socket in a temporary
// directory) running the program in session "ui".
type tuiTmux struct {
	t      testing.TB
	socket string
}

func (m *tuiTmux) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", m.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// start runs cmdline in session "ui", 110x32.
func (m *tuiTmux) start(cmdline string) {
	m.t.Helper()
	if out, err := m.tmux("new-session", "-d", "-s", "ui", "-x", "110", "-y", "32", cmdline); err != nil {
		m.t.Fatalf("tmux new-session: %v: %s", err, out)
	}
}

// waitEnd waits until the program in session "ui" has exited.
func (m *tuiTmux) waitEnd() {
	m.t.Helper()
	m.waitFor("the program to end", func(string) bool {
		out, err := m.tmux("list-panes", "-t", "ui")
		return err != nil || strings.TrimSpace(out) == ""
	})
}

// send types keys (tmux key names); an Escape is followed by a longer
// pause so the program does not read it as alt plus the next key.
func (m *tuiTmux) send(keys ...string) {
	m.t.Helper()
	for _, k := range keys {
		if out, err := m.tmux("send-keys", "-t", "ui", k); err != nil {
			m.t.Fatalf("send-keys %q: %v: %s", k, err, out)
		}
		pause := 150 * time.Millisecond
		if k == "Escape" {
			pause = 400 * time.Millisecond
		}
		time.Sleep(pause)
	}
}

// sendText types text literally.
func (m *tuiTmux) sendText(text string) {
	m.t.Helper()
	if out, err := m.tmux("send-keys", "-t", "ui", "-l", text); err != nil {
		m.t.Fatalf("send-keys %q: %v: %s", text, err, out)
	}
	time.Sleep(150 * time.Millisecond)
}

// waitFor polls the screen until ok holds, failing with the screen.
func (m *tuiTmux) waitFor(what string, ok func(screen string) bool) {
	m.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		scr, _ := m.tmux("capture-pane", "-p", "-t", "ui")
		if ok(scr) {
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("waiting for %s; the screen is:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *tuiTmux) waitText(text string) {
	m.t.Helper()
	m.waitFor(fmt.Sprintf("%q", text), func(scr string) bool { return strings.Contains(scr, text) })
}

// waitSSHSessionsEnd waits until the test's ssh clients (their command
// line names its client configuration) and the far side's dial-stdio
// processes (BERTH_RUN_ROOT=runRoot in their environment) have exited: a
// client left behind by a program that quit mid-request still reaches
// dial-stdio, which starts a service when it finds none.
func waitSSHSessionsEnd(t testing.TB, clientConf, runRoot string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := sshSessionsLeft(clientConf, runRoot)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("ssh sessions still running 30s after sshd stopped: PIDs %v", left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sshSessionsLeft is the PIDs of those processes.
func sshSessionsLeft(clientConf, runRoot string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var left []int
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue // exited meanwhile
		}
		mine := bytes.Contains(cmdline, []byte(clientConf))
		if !mine && bytes.Contains(cmdline, []byte("dial-stdio")) {
			environ, _ := os.ReadFile(filepath.Join(d, "environ"))
			mine = bytes.Contains(environ, []byte("BERTH_RUN_ROOT="+runRoot+"\x00"))
		}
		if st, _ := os.ReadFile(filepath.Join(d, "stat")); mine && !bytes.Contains(st, []byte(") Z ")) {
			pid, _ := strconv.Atoi(filepath.Base(d))
			left = append(left, pid)
		}
	}
	return left
}

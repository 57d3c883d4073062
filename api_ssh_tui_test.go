package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The full-screen program over ssh: berth on this machine (its own
// temporary roots) with a context whose far side is another berth
// (other temporary roots) behind the test's sshd. The far host's
// containers are rows of the same list, with a HOST column, and every
// screen works on them: logs, top (berth's own process table, through
// berth's /berth/v1 endpoints), a shell pane and an attach pane.
func TestAPISSHTUIRemoteHost(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux missing (apt-get install tmux), and CI=true forbids skipping")
		}
		t.Skip("tmux missing")
	}
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

	dir := t.TempDir()
	tm := &tuiTmux{t: t, socket: filepath.Join(dir, "tmux")}
	env := []string{"TERM=xterm-256color", "PATH=" + s.path, "XDG_CONFIG_HOME=" + cfgHome}
	for _, k := range []string{"BERTH_ROOT", "BERTH_RUN_ROOT", "BERTH_CONFIG"} {
		env = append(env, k+"="+envValue(near.env, k))
	}
	stderr := filepath.Join(dir, "stderr")
	cmdline := fmt.Sprintf("env %s %s 2>%s", strings.Join(env, " "), near.bin, stderr)
	if out, err := tm.tmux("new-session", "-d", "-s", "ui", "-x", "110", "-y", "32", cmdline); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(stderr); err == nil && len(b) > 0 {
				t.Logf("the program's stderr:\n%s", b)
			}
		}
		_, _ = tm.tmux("kill-server") // the program and its ssh clients end with their terminal
	})

	// Both hosts, each row with its host.
	tm.waitText("HOST local (1/2)")
	tm.waitFor("the containers of both hosts", func(scr string) bool {
		return regexp.MustCompile(`local +nearby .* Up `).MatchString(scr) &&
			regexp.MustCompile(`far +remote .* Up `).MatchString(scr) &&
			regexp.MustCompile(`far +fartty .* Up `).MatchString(scr)
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
	tm.waitFor("the program to end", func(string) bool {
		out, err := tm.tmux("list-panes", "-t", "ui")
		return err != nil || strings.TrimSpace(out) == ""
	})
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

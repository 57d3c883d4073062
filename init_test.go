package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// --init: berth's tiny init is PID 1 and the command its child.

func TestInitIsPID1(t *testing.T) {
	b := newBerthEnv(t)
	out := b.must("run", "--rm", "--pull", "never", "--init", "busybox", "sh", "-c",
		`tr '\0' ' ' </proc/1/cmdline; echo; echo $$; cat /proc/$$/status | grep ^PPid`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("output %q", out)
	}
	if want := "/sbin/docker-init -- sh -c"; !strings.HasPrefix(lines[0], want) {
		t.Errorf("PID 1 runs %q, want %q…", lines[0], want)
	}
	if lines[1] == "1" || strings.Fields(lines[2])[1] != "1" {
		t.Errorf("the command is PID %s with %s, want a child of PID 1", lines[1], lines[2])
	}
	ps := b.must("run", "--rm", "--pull", "never", "--init", "busybox", "ps", "-o", "pid,args")
	if !strings.Contains(ps, "    1 /sbin/docker-init -- ps -o pid,args") {
		t.Errorf("ps inside shows no init as PID 1:\n%s", ps)
	}
	// The tiny init lives in the container's root, not the host's: its
	// root and working directory are the command's.
	b.must("run", "-d", "--pull", "never", "--init", "--name", "roots", "busybox", "sleep", "1000")
	pid1 := b.inspect(".State.Pid", "roots")
	children, err := os.ReadFile("/proc/" + pid1 + "/task/" + pid1 + "/children")
	if err != nil || len(strings.Fields(string(children))) != 1 {
		t.Fatalf("children of the tiny init: %q, %v", children, err)
	}
	child := strings.Fields(string(children))[0]
	for _, link := range []string{"root", "cwd"} {
		initDir, err1 := os.Stat("/proc/" + pid1 + "/" + link + "/")
		cmdDir, err2 := os.Stat("/proc/" + child + "/" + link + "/")
		host, err3 := os.Stat("/")
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("stat %s: %v %v %v", link, err1, err2, err3)
		}
		if !os.SameFile(initDir, cmdDir) || os.SameFile(initDir, host) {
			t.Errorf("the tiny init's %s is not the container's /", link)
		}
	}
	// Nothing more than CAP_KILL.
	status, err := os.ReadFile("/proc/" + pid1 + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 2 && (f[0] == "CapEff:" || f[0] == "CapPrm:" || f[0] == "CapBnd:") && f[1] != "0000000000000020" {
			t.Errorf("the tiny init holds %s %s, want CAP_KILL alone", f[0], f[1])
		}
		if f := strings.Fields(line); len(f) == 2 && f[0] == "NoNewPrivs:" && f[1] != "1" {
			t.Errorf("the tiny init lacks no_new_privs")
		}
	}
	// Without --init the command is PID 1, as before.
	if got := strings.TrimSpace(b.must("run", "--rm", "--pull", "never", "busybox", "sh", "-c", "echo $$")); got != "1" {
		t.Errorf("without --init the command is PID %s, want 1", got)
	}
}

func TestInitExitCodes(t *testing.T) {
	b := newBerthEnv(t)
	for _, tt := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 7", 7},
		{"kill -9 $$", 137},
		{"kill -USR1 $$", 128 + 10},
	} {
		if got := b.exitCode("run", "--rm", "--pull", "never", "--init", "busybox", "sh", "-c", tt.script); got != tt.want {
			t.Errorf("%s: exit code %d, want %d", tt.script, got, tt.want)
		}
	}
	if got := b.exitCode("run", "--rm", "--pull", "never", "--init", "busybox", "no-such-command"); got != 127 {
		t.Errorf("a missing command under --init: exit code %d, want 127", got)
	}
}

// zombies lists the processes in container name's ps that are zombies,
// and how many run sleep.
func zombies(b *berthEnv, name string) (zombie bool, sleeps int) {
	out, err := b.cmd("exec", name, "ps", "-o", "stat,comm").Output()
	if err != nil {
		return false, 0
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[1] == "sleep" {
			sleeps++
			if strings.HasPrefix(f[0], "Z") {
				zombie = true
			}
		}
	}
	return zombie, sleeps
}

func TestInitReapsOrphans(t *testing.T) {
	b := newBerthEnv(t)
	// The inner shell exits at once; its sleep 0.2 is orphaned, handed to
	// PID 1, and exits: a zombie unless PID 1 reaps it. exec sleep 1000
	// as PID 1 reaps nothing.
	script := `sh -c "sleep 0.2 & exit"; exec sleep 1000`
	b.must("run", "-d", "--pull", "never", "--name", "plain", "busybox", "sh", "-c", script)
	waitFor(t, "a zombie without --init", time.Minute, func() bool { z, _ := zombies(b, "plain"); return z })

	b.must("run", "-d", "--pull", "never", "--init", "--name", "tini", "busybox", "sh", "-c", script)
	waitFor(t, "the orphan reaped under --init", time.Minute, func() bool {
		z, sleeps := zombies(b, "tini")
		return !z && sleeps == 1
	})
	// A zombie never shows up afterwards either: the orphan has exited.
	if z, _ := zombies(b, "tini"); z {
		t.Error("a zombie under --init")
	}
}

func TestInitForwardsSignals(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--init", "--name", "trap", "busybox", "sh", "-c",
		`trap 'echo got TERM; exit 3' TERM; echo ready; while true; do sleep 0.1; done`)
	waitFor(t, "the trap set", time.Minute, func() bool { return strings.Contains(b.must("logs", "trap"), "ready") })
	// A stop that reached only PID 1 would end in SIGKILL (137) after
	// the timeout; the trap's exit code says the shell got SIGTERM.
	b.must("stop", "-t", "60", "trap")
	if code := b.inspect(".State.ExitCode", "trap"); code != "3" {
		t.Errorf("exit code %s after stop, want 3 (the trap's)", code)
	}
	if logs := b.must("logs", "trap"); !strings.Contains(logs, "got TERM") {
		t.Errorf("the command never saw SIGTERM: %q", logs)
	}
	// berth kill -s USR1 reaches the command too, run as another user
	// than the tiny init's root (which holds CAP_KILL for that, even
	// when the command may not).
	b.must("run", "-d", "--pull", "never", "--init", "--user", "1000:1000", "--cap-drop", "KILL", "--name", "usr1", "busybox", "sh", "-c",
		`trap 'echo got USR1; exit 5' USR1; echo ready; while true; do sleep 0.1; done`)
	waitFor(t, "the trap set", time.Minute, func() bool { return strings.Contains(b.must("logs", "usr1"), "ready") })
	b.must("kill", "-s", "USR1", "usr1")
	waitFor(t, "the command ended by its trap", time.Minute, func() bool { return b.inspect(".State.Status", "usr1") == "exited" })
	if code := b.inspect(".State.ExitCode", "usr1"); code != "5" {
		t.Errorf("exit code %s after kill -s USR1, want 5", code)
	}
}

// TestInitHealthcheck: probes enter a container whose PID 1 is the tiny
// init as any other.
func TestInitHealthcheck(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--init", "--name", "both", "--health-cmd", "ps -o pid,args | grep -q '^ *1 /sbin/docker-init'",
		"--health-interval", "50ms", "busybox", "sleep", "1000")
	b.waitHealth(t, "both", "healthy")
}

func TestInitInspectAndDefault(t *testing.T) {
	b := newBerthEnv(t)
	b.must("create", "--pull", "never", "--init", "--name", "yes", "busybox", "true")
	if got := b.inspect("json .HostConfig.Init", "yes"); got != "true" {
		t.Errorf("HostConfig.Init %s with --init, want true", got)
	}
	// The settings file's init is the default; --init=false overrides it.
	cfg := ""
	for _, kv := range b.env {
		if v, ok := strings.CutPrefix(kv, "BERTH_CONFIG="); ok {
			cfg = v
		}
	}
	old, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	settings := strings.Replace(string(old), "{", `{"init": true, `, 1)
	if err := os.WriteFile(cfg, []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(b.must("run", "--rm", "--pull", "never", "busybox", "sh", "-c", "echo $$")); got == "1" {
		t.Error("with init in the settings file the command is still PID 1")
	}
	// As docker's: the default is applied at start, HostConfig.Init stays unset.
	b.must("create", "--pull", "never", "--name", "unsaid", "busybox", "true")
	if got := b.inspect("json .HostConfig.Init", "unsaid"); got != "null" {
		t.Errorf("HostConfig.Init %s without --init, want null", got)
	}
	if got := strings.TrimSpace(b.must("run", "--rm", "--pull", "never", "--init=false", "busybox", "sh", "-c", "echo $$")); got != "1" {
		t.Errorf("with --init=false the command is PID %s, want 1", got)
	}
}

// TestInitTerminal is run -it --init: the shell is in the terminal's
// foreground, so ctrl-c interrupts its job (not PID 1), and its exit code
// is berth's.
func TestInitTerminal(t *testing.T) {
	b := newBerthEnv(t)
	term := b.startTerminal(t, 24, 80, "run", "-it", "--init", "--name", "box", "--network", "none", "busybox", "sh")
	term.Expect(prompt)
	term.Send("sleep 100\r")
	waitForProcess(t, b.inspect(".State.Pid", "box"), "sleep", "100")
	term.Send("\x03")
	term.Expect(prompt)
	term.Send("echo status-$?\r")
	term.Expect(`\r\nstatus-130\r\n`)
	term.Expect(prompt)
	term.Send("exit 4\r")
	if code := term.Wait(); code != 4 {
		t.Fatalf("berth run -it --init exited %d after the shell's exit 4", code)
	}
	term.RequireRestored("the container's exit")
}

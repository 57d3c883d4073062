package main

// Attacks on what berth itself brings into a container: its own binary
// (CVE-2019-5736) and the descriptors of whoever ran it (CVE-2024-21626).

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/internal/attack"
)

// TestAttackBinaryOverwrite: a container process catches a `berth exec`'d
// process before it execs its command, holds its /proc/<pid>/exe, and once
// every berth process running that file is gone (the shim killed) reopens
// it for writing. The host's binary must stay as it was: the process in
// the container never runs it (a sealed copy) and is not dumpable until
// its exec, so the grab fails outright unless the container has
// CAP_SYS_PTRACE, and then it gets only the read-only copy.
func TestAttackBinaryOverwrite(t *testing.T) {
	b := newAttackEnv(t)
	orig := b.bin
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	t.Cleanup(func() { b.bin = orig }) // the env's cleanup needs a sound berth

	for _, tc := range []struct {
		name string
		caps []string
	}{
		{"default", nil},
		{"cap-sys-ptrace", []string{"--cap-add", "SYS_PTRACE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A binary of this attack's own, so that its hash and the
			// processes running it are this attack's alone.
			bin := filepath.Join(t.TempDir(), "berth")
			if err := os.WriteFile(bin, data, 0o755); err != nil {
				t.Fatal(err)
			}
			b.bin = bin
			out := t.TempDir()
			log := filepath.Join(out, "log")
			name := "victim-" + tc.name
			args := append([]string{"run", "-d", "--name", name, "--network", "none", "-v", out + ":/out"}, tc.caps...)
			// The probe is not PID 1: the exec it wins against must not
			// die with the container when the probe is done.
			b.must(append(args, "busybox", "sh", "-c", attack.ProbePath+" overwrite-exe /out/log 20 & exec sleep 1000")...)
			waitForLine(t, log, "ready", 10*time.Second)
			// Exec until the probe saw a berth process (held or denied).
			for i := 0; i < 50 && !strings.Contains(readFile(log), "pid="); i++ {
				b.must("exec", name, "true")
			}
			got := readFile(log)
			if !strings.Contains(got, "pid=") {
				t.Fatalf("the probe never saw a berth process in 50 execs:\n%s", got)
			}
			held := lineWith(got, "held")
			if tc.caps == nil && held != "" {
				t.Errorf("a berth process's /proc/<pid>/exe was opened without CAP_SYS_PTRACE (it must not be dumpable):\n%s", got)
			}
			if tc.caps != nil && held == "" {
				t.Errorf("with CAP_SYS_PTRACE the probe held nothing, so the sealed copy went untested:\n%s", got)
			}
			if held == "" {
				t.Logf("probe: %s", strings.ReplaceAll(got, "\n", " | "))
				checkHash(t, bin, want)
				return
			}
			if strings.Contains(held, "exe="+bin) {
				t.Errorf("a process in the container ran the host's binary: %s", held)
			}
			// Nothing runs the binary once the shim is gone.
			killRunning(t, bin)
			result := waitForLine(t, log, "result:", 40*time.Second)
			t.Logf("probe: %s", strings.ReplaceAll(readFile(log), "\n", " | "))
			if strings.Contains(result, "overwrote") {
				t.Errorf("the container overwrote berth's binary: %s", result)
			}
			checkHash(t, bin, want)
		})
	}
}

// checkHash fails when bin's content no longer has the hash want.
func checkHash(t *testing.T, bin string, want [sha256.Size]byte) {
	t.Helper()
	now, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(now) != want {
		t.Fatalf("the host's berth binary %s changed", bin)
	}
}

// TestAttackDescriptorLeak: berth is started with a host directory and a
// host file open as fds 7 and 8 (as a shell's `exec 7</etc` leaves them).
// Neither may reach the container: not in its PID 1, an exec'd process, a
// build step, nor the shim that outlives the caller; and -w
// /proc/self/fd/N must fail instead of starting the command on the host's
// directory.
func TestAttackDescriptorLeak(t *testing.T) {
	b := newAttackEnv(t)
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "hostname"), []byte("host-secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := os.Open(hostDir)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	file, err := os.Open(filepath.Join(hostDir, "hostname"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	// berth runs berth args… with the host's fds 7 and 8.
	berth := func(args ...string) (stdout, stderr string, code int) {
		cmd := b.cmd(args...)
		cmd.ExtraFiles = []*os.File{nil, nil, nil, nil, dir, file}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return o.String(), e.String(), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
		}
		return o.String(), e.String(), 0
	}
	// onlyStdio checks the output of ls -l /proc/<pid>/fd, or the probe's
	// "fds: …" line.
	onlyStdio := func(what, out string) {
		t.Helper()
		fds := strings.Fields(strings.TrimPrefix(lineWith(out, "fds:"), "fds:"))
		if !strings.Contains(out, "fds:") {
			fds = nil
			for _, l := range strings.Split(out, "\n") {
				if f := strings.Fields(l); len(f) > 2 && f[len(f)-2] == "->" {
					fds = append(fds, f[len(f)-3])
				}
			}
		}
		if got := strings.Join(fds, " "); got != "0 1 2" {
			t.Errorf("%s holds fds %q, want only 0 1 2:\n%s", what, got, out)
		}
	}

	if _, e, code := berth("run", "-d", "--name", "c", "--network", "none", "busybox", "sleep", "1000"); code != 0 {
		t.Fatalf("run -d: exit %d: %s", code, e)
	}
	o, e, code := berth("exec", "c", "ls", "-l", "/proc/1/fd")
	if code != 0 {
		t.Fatalf("exec ls /proc/1/fd: exit %d: %s", code, e)
	}
	onlyStdio("the container's PID 1", o)
	o, e, code = berth("exec", "c", attack.ProbePath, "fds")
	if code != 0 {
		t.Fatalf("exec sh: exit %d: %s", code, e)
	}
	onlyStdio("an exec'd process", o)

	// The shim: its container's PID 1 is its child.
	pid := b.inspect(".State.Pid", "c")
	shim := parentOf(t, pid)
	for _, fd := range fdsOf(t, shim) {
		if sameFile(t, fd, dir) || sameFile(t, fd, file) {
			t.Errorf("the shim (pid %s) holds its caller's %s", shim, fd)
		}
	}
	host := fdsOf(t, pid)
	if len(host) != 3 {
		t.Errorf("the container's PID 1 holds %v, want only 0 1 2", host)
	}

	// The working directory through a descriptor: runc's CVE-2024-21626.
	for n := range 10 {
		wd := "/proc/self/fd/" + strconv.Itoa(n)
		o, e, code = berth("exec", "-w", wd, "c", "cat", "hostname")
		if code == 0 || strings.Contains(o, "host-secret") {
			t.Errorf("exec -w /proc/self/fd/%d: exit %d, output %q: the command ran in a host directory", n, code, o)
		} else if code != 126 || !strings.Contains(e, wd) {
			t.Errorf("exec -w /proc/self/fd/%d: exit %d, %q; want 126 and an error about the working directory", n, code, e)
		}
		o, e, code = berth("run", "--rm", "--network", "none", "-w", wd, "busybox", "cat", "hostname")
		if code == 0 || strings.Contains(o, "host-secret") {
			t.Errorf("run -w /proc/self/fd/%d: exit %d, output %q: the command ran in a host directory", n, code, o)
		} else if code != 125 || !strings.Contains(e, wd) {
			t.Errorf("run -w /proc/self/fd/%d: exit %d, %q; want 125 and an error about the working directory", n, code, e)
		}
	}

	// A build step.
	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"),
		[]byte("FROM busybox\nRUN [\""+attack.ProbePath+"\", \"fds\", \"/fds\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e, code := berth("build", "-q", "-t", "fds:1", ctx); code != 0 {
		t.Fatalf("build: exit %d: %s", code, e)
	}
	o, e, code = berth("run", "--rm", "--network", "none", "fds:1", "cat", "/fds")
	if code != 0 {
		t.Fatalf("run fds:1: exit %d: %s", code, e)
	}
	onlyStdio("a build's RUN step", o)
}

// readFile is name's content, "" when it cannot be read yet.
func readFile(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}

// lineWith is the first line of s that contains sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// waitForLine waits until the file name has a line containing sub, and
// returns that line.
func waitForLine(t *testing.T, name, sub string, patience time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if l := lineWith(readFile(name), sub); l != "" {
			return l
		}
	}
	t.Fatalf("no %q in %s after %v:\n%s", sub, name, patience, readFile(name))
	return ""
}

// killRunning kills every process that runs the file bin: this test's
// own binary, so only its own shims.
func killRunning(t *testing.T, bin string) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		if exe, err := os.Readlink(filepath.Join(p, "exe")); err == nil && exe == bin {
			pid, _ := strconv.Atoi(filepath.Base(p))
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Errorf("kill %d (%s): %v", pid, bin, err)
			}
		}
	}
}

// parentOf is the parent pid of the host process pid.
func parentOf(t *testing.T, pid string) string {
	t.Helper()
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		t.Fatal(err)
	}
	// pid (comm) state ppid …; comm may hold spaces.
	rest := string(stat[bytes.LastIndexByte(stat, ')')+2:])
	return strings.Fields(rest)[1]
}

// fdsOf lists /proc/<pid>/fd/N for each of pid's descriptors.
func fdsOf(t *testing.T, pid string) []string {
	t.Helper()
	fds, err := filepath.Glob(filepath.Join("/proc", pid, "fd", "*"))
	if err != nil || len(fds) == 0 {
		t.Fatalf("list fds of pid %s: %v", pid, err)
	}
	return fds
}

// sameFile reports whether the descriptor link is the open file f.
func sameFile(t *testing.T, link string, f *os.File) bool {
	t.Helper()
	a, err := os.Stat(link)
	if err != nil {
		return false // a socket or pipe that stat cannot follow, or gone
	}
	b, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(a, b)
}

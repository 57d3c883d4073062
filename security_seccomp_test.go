package main

// Seccomp attacks: a process in an ordinary container tries the system
// calls Docker's default profile keeps from it (the first steps of
// escapes through user namespaces, keyrings, io_uring, vsock, BPF, kernel
// modules), by `berth run` and by `berth exec`. Every one must fail with
// the profile's EPERM; the same calls in an unconfined container show it
// was the filter that stopped them.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/internal/attack"
)

// seccompBlocked is what the probe's attempts get under Docker's default
// profile (ptrace is allowed on kernels from 4.8: ESRCH, for a process we
// do not trace).
var seccompBlocked = map[string]string{
	"keyctl":            "EPERM",
	"add_key":           "EPERM",
	"request_key":       "EPERM",
	"io_uring_setup":    "EPERM",
	"socket-vsock":      "EPERM",
	"unshare-user":      "EPERM",
	"clone-newuser":     "EPERM",
	"mount-tmpfs":       "EPERM",
	"bpf":               "EPERM",
	"perf_event_open":   "EPERM",
	"kexec_load":        "EPERM",
	"open_by_handle_at": "EPERM",
	"init_module":       "EPERM",
	"ptrace":            "ESRCH",
	"personality":       "EPERM",
}

// probeResults parses the probe's "NAME: RESULT" lines.
func probeResults(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, result, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("probe printed %q", line)
		}
		got[name] = result
	}
	return got
}

func checkBlocked(t *testing.T, how, out string) {
	t.Helper()
	got := probeResults(t, out)
	for name, want := range seccompBlocked {
		if got[name] != want {
			t.Errorf("%s: %s got %q, want %s", how, name, got[name], want)
		}
	}
	t.Logf("%s:\n%s", how, out)
}

// seccompMode is the Seccomp: line of /proc/self/status: 2 is a filter.
func seccompMode(t *testing.T, b *berthEnv, args ...string) string {
	t.Helper()
	out := b.must(append(args, "grep", "^Seccomp:", "/proc/self/status")...)
	return strings.Join(strings.Fields(out), " ")
}

func TestAttackSeccompRun(t *testing.T) {
	b := newAttackEnv(t)
	checkBlocked(t, "run", b.must("run", "--rm", "busybox", attack.ProbePath, "seccomp"))
	if got := seccompMode(t, b, "run", "--rm", "busybox"); got != "Seccomp: 2" {
		t.Errorf("run: /proc/self/status says %q, want Seccomp: 2", got)
	}
}

func TestAttackSeccompExec(t *testing.T) {
	b := newAttackEnv(t)
	b.must("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	checkBlocked(t, "exec", b.must("exec", "box", attack.ProbePath, "seccomp"))
	if got := seccompMode(t, b, "exec", "box"); got != "Seccomp: 2" {
		t.Errorf("exec: /proc/self/status says %q, want Seccomp: 2", got)
	}
}

// TestAttackSeccompUserNamespace: unshare -U -r, the root of a user
// namespace with every capability there and then a mount, fails; in an
// unconfined container the same command works, so the filter stopped it.
func TestAttackSeccompUserNamespace(t *testing.T) {
	b := newAttackEnv(t)
	script := "mkdir -p /mnt && unshare -U -r -m sh -c 'mount -t tmpfs t /mnt && echo mounted'"
	out, err := b.cmd("run", "--rm", "busybox", "sh", "-c", script).CombinedOutput()
	if err == nil || strings.Contains(string(out), "mounted") {
		t.Errorf("unshare -U -r in a default container: %v, %s; want it refused", err, out)
	}
	if !strings.Contains(string(out), "Operation not permitted") {
		t.Errorf("unshare -U -r: %s, want Operation not permitted", out)
	}
	out, err = b.cmd("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "mounted") {
		t.Errorf("unshare -U -r unconfined: %v, %s; want it to work (the filter is the wall)", err, out)
	}
	got := probeResults(t, b.must("run", "--rm", "--security-opt", "seccomp:unconfined", "busybox", attack.ProbePath, "seccomp", "keyctl", "clone-newuser", "personality"))
	for _, name := range []string{"keyctl", "clone-newuser", "personality"} {
		if got[name] != "ok" {
			t.Errorf("unconfined: %s got %q, want ok", name, got[name])
		}
	}
	if got := seccompMode(t, b, "run", "--rm", "--security-opt", "seccomp=unconfined", "busybox"); got != "Seccomp: 0" {
		t.Errorf("unconfined: /proc/self/status says %q, want Seccomp: 0", got)
	}
	if got := seccompMode(t, b, "run", "--rm", "--privileged", "busybox"); got != "Seccomp: 0" {
		t.Errorf("--privileged: /proc/self/status says %q, want Seccomp: 0", got)
	}
}

// TestAttackSeccompCustomProfile: a docker-format profile that allows
// everything but mkdir is read at create, kept in the container's record
// (a later start needs no file) and shown by inspect as given.
func TestAttackSeccompCustomProfile(t *testing.T) {
	b := newAttackEnv(t)
	profile := filepath.Join(t.TempDir(), "nomkdir.json")
	if err := os.WriteFile(profile, []byte(`{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]
	}`), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := "seccomp=" + profile
	out, err := b.cmd("run", "--name", "c", "--security-opt", opt, "busybox", "mkdir", "/x").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Operation not permitted") {
		t.Errorf("mkdir under a profile that forbids it: %v, %s", err, out)
	}
	if got := b.inspect("json .HostConfig.SecurityOpt", "c"); got != `["`+opt+`"]` {
		t.Errorf("inspect SecurityOpt = %s, want [%q]", got, opt)
	}
	if err := os.Remove(profile); err != nil {
		t.Fatal(err)
	}
	out, err = b.cmd("start", "-a", "c").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Operation not permitted") {
		t.Errorf("restart without the profile file: %v, %s; want mkdir refused again", err, out)
	}
	if out := b.must("run", "--rm", "busybox", "sh", "-c", "mkdir /x && echo made"); !strings.Contains(out, "made") {
		t.Errorf("mkdir under the default profile: %s", out)
	}
}

// TestAttackSeccompBadProfile: a profile that cannot be read or is wrong is
// docker's exit 125, names the file and what is wrong, and leaves nothing.
func TestAttackSeccompBadProfile(t *testing.T) {
	b := newAttackEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"defaultAction": "SCMP_ACT_SOMETIMES"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notJSON := filepath.Join(dir, "notjson.json")
	if err := os.WriteFile(notJSON, []byte(`{"defaultAction": `), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, want string }{
		{bad, `unknown defaultAction "SCMP_ACT_SOMETIMES"`},
		{notJSON, "decode seccomp profile"},
		{filepath.Join(dir, "missing.json"), "no such file or directory"},
	} {
		cmd := b.cmd("run", "--rm", "--security-opt", "seccomp="+tt.file, "busybox", "true")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 125 {
			t.Errorf("profile %s: exit %d (%v), want 125", tt.file, code, err)
		}
		if msg := stderr.String(); !strings.Contains(msg, tt.file) || !strings.Contains(msg, tt.want) {
			t.Errorf("profile %s: %q, want the file and %q", tt.file, msg, tt.want)
		}
	}
	if ids := strings.TrimSpace(b.must("ps", "-aq")); ids != "" {
		t.Errorf("bad profiles left containers: %s", ids)
	}
}

func TestSeccompInfo(t *testing.T) {
	b := newBerthEnv(t)
	want := "Security Options:\n seccomp\n  Profile: builtin\n"
	if b.api != nil {
		want = "Security Options:\n  seccomp\n   Profile: builtin\n" // the docker 20.10 CLI indents the server's part one more
	}
	if out := b.must("info"); !strings.Contains(out, want) {
		t.Errorf("info:\n%s\nwant Security Options: seccomp, Profile: builtin", out)
	}
}

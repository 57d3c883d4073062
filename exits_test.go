package main

import (
	"strings"
	"testing"
)

// TestCreateAndExecExitCodes: docker's exit codes where its CLI and daemon
// split the work. create exits 1 for what the daemon refuses (a name in
// use, no such image) and 125 for a flag it cannot parse; run exits 125
// for both; exec exits 126 for any command that did not start, one not
// found included (run's is 127).
func TestCreateAndExecExitCodes(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	id := strings.TrimSpace(b.must("create", "--pull", "never", "--name", "dup", "--network", "none", "busybox", "true"))
	conflict := `Conflict. The container name "/dup" is already in use by container "` + id + `". You have to remove (or rename) that container to be able to reuse that name.`
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"create", "--pull", "never", "--name", "dup", "--network", "none", "busybox", "true"}, 1, conflict},
		{[]string{"run", "--pull", "never", "--name", "dup", "--network", "none", "busybox", "true"}, 125, conflict},
		{[]string{"create", "--pull", "never", "--network", "none", "nosuchimage:1", "true"}, 1, "nosuchimage"},
		{[]string{"run", "--pull", "never", "--network", "none", "nosuchimage:1", "true"}, 125, "nosuchimage"},
		{[]string{"create", "--pull", "never", "--cpus", "x", "busybox", "true"}, 125, "failed to parse x as a rational number"},
		// Checks berth's CLI makes but docker's leaves to its daemon.
		{[]string{"create", "--pull", "never", "--memory", "1k", "busybox", "true"}, 1, "minimum memory limit allowed is 6MB"},
		{[]string{"run", "--pull", "never", "--memory", "1k", "busybox", "true"}, 125, "minimum memory limit allowed is 6MB"},
		{[]string{"create", "--pull", "never", "-v", "/tmp:/", "busybox", "true"}, 1, "destination can't be '/'"},
		{[]string{"create", "--pull", "never", "--tmpfs", "/", "busybox", "true"}, 1, "destination can't be '/'"},
		{[]string{"run", "--pull", "never", "--tmpfs", "/", "busybox", "true"}, 125, "destination can't be '/'"},
	} {
		_, stderr, code := b.runOut(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("berth %s: exit %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.want)
		}
	}
	if got := strings.Fields(b.must("ps", "-aq", "--no-trunc")); len(got) != 1 || got[0] != id {
		t.Errorf("the failed creates left containers: %q", got)
	}

	b.must("run", "-d", "--pull", "never", "--name", "x", "--network", "none", "busybox", "sleep", "300")
	for _, cmd := range [][]string{{"nosuchcommand"}, {"/nonexistent/x"}, {"/etc/passwd"}} {
		args := append([]string{"exec", "x"}, cmd...)
		if _, stderr, code := b.runOut(args...); code != 126 {
			t.Errorf("berth %s: exit %d (%s), want 126", strings.Join(args, " "), code, stderr)
		}
	}
	if _, _, code := b.runOut("run", "--rm", "--pull", "never", "--network", "none", "busybox", "nosuchcommand"); code != 127 {
		t.Errorf("berth run of a missing command: exit %d, want 127", code)
	}
	b.must("rm", "-f", "x")
}

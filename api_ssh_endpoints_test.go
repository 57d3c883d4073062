package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These need the container, stream and image endpoints of the other
// branches of issue 12; the lead drops the build tag once they are merged.

// The docker CLI through ssh:// against a berth host: run, ps, logs,
// exec, rm.
func TestAPISSHDockerContainers(t *testing.T) {
	s := newSSHEnv(t, newBerthEnv(t))
	host := s.url("")
	if out := s.dockerMust(host, "run", "--rm", "busybox", "echo", "hi"); out != "hi\n" {
		t.Fatalf("docker run --rm over ssh = %q, want hi", out)
	}
	s.dockerMust(host, "run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; sleep 600")
	if out := s.dockerMust(host, "ps", "--format", "{{.Names}}"); !strings.Contains(out, "web") {
		t.Fatalf("docker ps over ssh = %q, want web", out)
	}
	waitOutput(t, func() string { return s.dockerMust(host, "logs", "web") }, "started\n")
	if out := s.dockerMust(host, "exec", "web", "echo", "inside"); out != "inside\n" {
		t.Fatalf("docker exec over ssh = %q", out)
	}
	s.dockerMust(host, "rm", "-f", "web")
	if out := s.dockerMust(host, "ps", "-a", "--format", "{{.Names}}"); strings.Contains(out, "web") {
		t.Fatalf("docker ps -a after rm over ssh = %q", out)
	}
}

// berth's own CLI with -H ssh://: its local roots are empty, so what it
// shows comes from the far side.
func TestAPISSHBerthCLI(t *testing.T) {
	s := newSSHEnv(t, newBerthEnv(t))
	local := t.TempDir()
	remoteWriteFile(t, filepath.Join(local, "none.json"), "{}", 0o644)
	berth := func(args ...string) (string, string, error) {
		cmd := exec.Command(s.bin, append([]string{"-H", s.url("")}, args...)...)
		cmd.Env = append(os.Environ(), "PATH="+s.path, "BERTH_ROOT="+filepath.Join(local, "root"),
			"BERTH_RUN_ROOT="+filepath.Join(local, "run"), "BERTH_CONFIG="+filepath.Join(local, "none.json"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, errOut, err := berth(args...)
		if err != nil {
			t.Fatalf("berth -H %s %v: %v: %s", s.url(""), args, err, errOut)
		}
		return out
	}
	if out := must("run", "--rm", "busybox", "echo", "hi"); out != "hi\n" {
		t.Fatalf("berth -H run --rm = %q", out)
	}
	must("run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; sleep 600")
	if out := must("ps", "--format", "{{.Names}}"); out != "web\n" {
		t.Fatalf("berth -H ps = %q, want web", out)
	}
	// The far side's own view agrees.
	if out := s.must("ps", "--format", "{{.Names}}"); out != "web\n" {
		t.Fatalf("berth ps on the far side = %q", out)
	}
	waitOutput(t, func() string { return must("logs", "web") }, "started\n")
	if out := must("exec", "web", "echo", "inside"); out != "inside\n" {
		t.Fatalf("berth -H exec = %q", out)
	}
	must("rm", "-f", "web")
	if out := must("ps", "-a", "-q"); out != "" {
		t.Fatalf("berth -H ps -a after rm = %q", out)
	}
	if _, errOut, err := berth("inspect", "nosuch"); err == nil || !strings.Contains(errOut, "nosuch") {
		t.Fatalf("berth -H inspect nosuch: %v: %s", err, errOut)
	}
}

// waitOutput polls get until it returns want, for up to 30 seconds.
func waitOutput(t *testing.T, get func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := get()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("output = %q, want %q", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

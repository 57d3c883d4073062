package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// composeEnv is a berth on its own roots and a project directory whose
// compose files the test writes.
type composeEnv struct {
	*berthEnv
	t   *testing.T
	dir string
}

// newComposeEnv copies the files of testdata/compose/NAME (none when
// name is "") into a project directory of the test's own; the project
// is brought down, volumes and all, when the test ends.
func newComposeEnv(t *testing.T, name string) *composeEnv {
	t.Helper()
	b := newBerthEnv(t)
	dir := filepath.Join(t.TempDir(), "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if name != "" {
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "compose", name))); err != nil {
			t.Fatal(err)
		}
	}
	c := &composeEnv{berthEnv: b, t: t, dir: dir}
	t.Cleanup(func() {
		if _, _, err := c.compose("down", "-v", "--rmi", "local", "-t", "1"); err != nil {
			t.Logf("compose down at cleanup: %v", err)
		}
	})
	return c
}

// write puts a file in the project directory.
func (c *composeEnv) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// compose runs `berth compose ARGS` in the project directory.
func (c *composeEnv) compose(args ...string) (string, string, error) {
	cmd := c.berth(append([]string{"compose"}, args...)...)
	cmd.Dir = c.dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// mustCompose is compose that fails the test on an error.
func (c *composeEnv) mustCompose(args ...string) string {
	c.t.Helper()
	out, errOut, err := c.compose(args...)
	if err != nil {
		c.t.Fatalf("berth compose %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// composeCode is the exit code of `berth compose ARGS` and its output.
func (c *composeEnv) composeCode(args ...string) (int, string) {
	out, errOut, err := c.compose(args...)
	if err == nil {
		return 0, out + errOut
	}
	ee, ok := err.(*exec.ExitError)
	if !ok {
		c.t.Fatalf("berth compose %s: %v", strings.Join(args, " "), err)
	}
	return ee.ExitCode(), out + errOut
}

// eventually waits for cond, failing with what last saw after a
// deadline.
func (c *composeEnv) eventually(what string, cond func() (bool, string)) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: never happened; last:\n%s", what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// assertNothingLeft checks that no container, network or volume of
// project is left.
func (c *composeEnv) assertNothingLeft(project string) {
	c.t.Helper()
	filter := "label=com.docker.compose.project=" + project
	if out := c.must("ps", "-aq", "--filter", filter); strings.TrimSpace(out) != "" {
		c.t.Errorf("containers of %s left: %s", project, out)
	}
	if out := c.must("network", "ls", "-q", "--filter", filter); strings.TrimSpace(out) != "" {
		c.t.Errorf("networks of %s left: %s", project, out)
	}
	if out := c.must("volume", "ls", "-q", "--filter", filter); strings.TrimSpace(out) != "" {
		c.t.Errorf("volumes of %s left: %s", project, out)
	}
}

// TestComposeWebWorker brings up a web server and a worker that reaches
// it by its service name on the project's network, then takes it down.
func TestComposeWebWorker(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 8080 -h /www"]
  worker:
    image: busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "while true; do wget -q -O - http://web:8080/ && sleep 30; sleep 0.5; done"]
`)
	c.mustCompose("-p", "ww", "up", "-d")
	ps := c.mustCompose("-p", "ww", "ps")
	for _, want := range []string{"ww-web-1", "ww-worker-1"} {
		if !strings.Contains(ps, want) {
			t.Fatalf("compose ps lacks %s:\n%s", want, ps)
		}
	}
	c.eventually("worker reaches web by name", func() (bool, string) {
		out := c.must("logs", "ww-worker-1")
		return strings.Contains(out, "hello from web"), out
	})
	labels := c.must("inspect", "--format", `{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{index .Config.Labels "com.docker.compose.oneoff"}}`, "ww-web-1")
	if strings.TrimSpace(labels) != "ww web 1 False" {
		t.Fatalf("labels of ww-web-1: %q", labels)
	}
	c.mustCompose("-p", "ww", "down", "-t", "1")
	c.assertNothingLeft("ww")
}

// TestComposeConfigAndLs: config prints the resolved project (several
// files merged, .env interpolated), ls lists running projects with their
// state and files, and -p alone finds a project without its file.
func TestComposeConfigAndLs(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write(".env", "GREETING=from-dotenv\n")
	c.write("compose.yaml", `name: cfg
services:
  app:
    image: busybox:latest
    command: ["sh", "-c", "echo $${MSG}; exec sleep 300"]
    environment:
      MSG: ${GREETING:-unset}
`)
	c.write("extra.yaml", `services:
  app:
    labels:
      tier: ${TIER:-back}
`)
	cfg := c.mustCompose("-f", "compose.yaml", "-f", "extra.yaml", "config")
	for _, want := range []string{"name: cfg", "MSG: from-dotenv", "tier: back"} {
		if !strings.Contains(cfg, want) {
			t.Fatalf("compose config lacks %q:\n%s", want, cfg)
		}
	}
	if svc := c.mustCompose("config", "--services"); strings.TrimSpace(svc) != "app" {
		t.Fatalf("config --services = %q", svc)
	}
	c.mustCompose("-f", "compose.yaml", "-f", "extra.yaml", "up", "-d")
	ls := c.mustCompose("ls")
	if !strings.Contains(ls, "cfg") || !strings.Contains(ls, "running(1)") || !strings.Contains(ls, "extra.yaml") {
		t.Fatalf("compose ls:\n%s", ls)
	}
	if tier := c.must("inspect", "--format", `{{index .Config.Labels "tier"}}`, "cfg-app-1"); strings.TrimSpace(tier) != "back" {
		t.Fatalf("the merged file's label: %q", tier)
	}
	// Without the file, -p names the project.
	other := t.TempDir()
	cmd := c.berth("compose", "-p", "cfg", "stop", "-t", "1")
	cmd.Dir = other
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compose -p cfg stop without a file: %v\n%s", err, out)
	}
	if ls := c.mustCompose("ls"); strings.Contains(ls, "cfg") {
		t.Fatalf("a stopped project is listed without -a:\n%s", ls)
	}
	if ls := c.mustCompose("ls", "-a"); !strings.Contains(ls, "exited(1)") {
		t.Fatalf("compose ls -a:\n%s", ls)
	}
	// No file and no name: Docker Compose's 14.
	cmd = c.berth("compose", "ps")
	cmd.Dir = other
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 14 || !strings.Contains(string(out), "no configuration file provided") {
		t.Fatalf("compose ps without a file: %v\n%s", err, out)
	}
	c.mustCompose("down", "-t", "1")
	c.assertNothingLeft("cfg")
}

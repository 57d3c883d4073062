package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth/internal/testenv"
)

// composeFile is two services on the project's network: web serves
// HTTP, worker reaches it by its service name and says so in its log.
const composeFile = `version: "3.8"
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo hello from web > /www/index.html && echo web up && exec httpd -f -p 8080 -h /www"]
  worker:
    image: busybox:latest
    depends_on: [web]
    volumes: ["data:/data"]
    command: ["sh", "-c", "echo worker up; while true; do if wget -q -O /data/page http://web:8080/; then echo reached web; cat /data/page; fi; sleep 1; done"]
volumes:
  data: {}
`

// TestAPIComposeUpPsLogsDown runs Debian's docker-compose 1.29 against
// berth's API: up -d, ps, logs, down -v, and checks that nothing of the
// project is left.
func TestAPIComposeUpPsLogsDown(t *testing.T) {
	a := newAPIEnv(t)
	compose := testenv.Tool(t, "docker-compose")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(composeFile), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(compose, append([]string{"-p", "bt"}, args...)...)
		cmd.Dir = dir
		cmd.Env = a.clientEnv()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	t.Cleanup(func() { run("down", "-v", "--timeout", "1") })

	must("up", "-d")
	ps := must("ps")
	for _, want := range []string{"bt_web_1", "bt_worker_1"} {
		if !strings.Contains(ps, want) || !strings.Contains(ps, "Up") {
			t.Fatalf("docker-compose ps lacks %s running:\n%s", want, ps)
		}
	}
	// worker reaches web by name over the project's network.
	deadline := time.Now().Add(30 * time.Second)
	for {
		logs := must("logs", "--no-color")
		if strings.Contains(logs, "web up") && strings.Contains(logs, "worker up") && strings.Contains(logs, "hello from web") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("docker-compose logs never showed both services and worker reaching web:\n%s", logs)
		}
		time.Sleep(300 * time.Millisecond)
	}
	berthPs := a.must("ps", "--format", "{{.Names}} {{.Label \"com.docker.compose.project\"}}")
	if !strings.Contains(berthPs, "bt_web_1 bt") || !strings.Contains(berthPs, "bt_worker_1 bt") {
		t.Fatalf("berth ps does not show the project's containers with compose's labels:\n%s", berthPs)
	}

	must("down", "-v", "--timeout", "1")
	if out := a.must("ps", "-aq"); strings.TrimSpace(out) != "" {
		t.Fatalf("containers left after down: %s", out)
	}
	if out := a.must("network", "ls", "--format", "{{.Name}}"); strings.Contains(out, "bt_default") {
		t.Fatalf("network bt_default left after down:\n%s", out)
	}
	if out := a.must("volume", "ls", "-q"); strings.Contains(out, "bt_data") {
		t.Fatalf("volume bt_data left after down -v:\n%s", out)
	}
}

package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/internal/testenv"
)

// realCLI runs berth's command lines against the real engine, on temporary
// roots and a cgroup parent of the test's own.
type realCLI struct {
	t                      *testing.T
	root, runRoot, cfgFile string
}

func newRealCLI(t *testing.T) *realCLI {
	t.Helper()
	testenv.RequireRoot(t)
	parent := fmt.Sprintf("berth-test-%s-%d", regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "-"), os.Getpid())
	dir := t.TempDir()
	r := &realCLI{t: t, root: filepath.Join(dir, "root"), runRoot: filepath.Join(dir, "run"), cfgFile: filepath.Join(dir, "config.json")}
	// No network by default: the engine's own tests cover networking. A
	// container given one would get this root's own bridge, subnet and
	// nftables table (network.RootNames), never berth0's.
	writeTestFile(t, r.cfgFile, fmt.Sprintf(`{"cgroup-parent": %q, "default-network": "none", "log-opts": {"max-size": "1m", "max-file": "2"}}`, parent))
	t.Cleanup(func() {
		if ids := strings.Fields(r.run("ps", "-aq", "--no-trunc").stdout); len(ids) > 0 {
			if res := r.run(append([]string{"rm", "-f"}, ids...)...); res.code != 0 {
				t.Errorf("cleanup: rm -f: %q", res.stderr)
			}
		}
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
		for _, d := range dirs {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return r
}

func (r *realCLI) run(args ...string) result {
	r.t.Helper()
	var stdout, stderr strings.Builder
	full := append([]string{"--root", r.root, "--run-root", r.runRoot, "--config", r.cfgFile}, args...)
	code := Main(full, strings.NewReader(""), &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

// must runs args and fails the test unless berth exits 0.
func (r *realCLI) must(args ...string) string {
	r.t.Helper()
	res := r.run(args...)
	if res.code != 0 {
		r.t.Fatalf("berth %s: exit %d, stderr %q", strings.Join(args, " "), res.code, res.stderr)
	}
	return res.stdout
}

func (r *realCLI) importBusybox() {
	r.t.Helper()
	tarball := filepath.Join(r.t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(tarball, testenv.BusyboxTar(r.t), 0o644); err != nil {
		r.t.Fatal(err)
	}
	if out := r.must("import", tarball, "busybox:latest"); !regexp.MustCompile(`^sha256:[0-9a-f]{64}\n$`).MatchString(out) {
		r.t.Fatalf("import printed %q", out)
	}
}

func TestRealRunForeground(t *testing.T) {
	t.Parallel()
	r := newRealCLI(t)
	r.importBusybox()

	var img map[string]string
	if err := json.Unmarshal([]byte(r.must("images", "--format", "json")), &img); err != nil || img["Repository"] != "busybox" || img["Tag"] != "latest" {
		t.Fatalf("images --format json: %v %v", img, err)
	}
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{[]string{"run", "--rm", "busybox", "echo", "hello"}, 0, "hello\n", ""},
		{[]string{"run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"}, 3, "out\n", "err\n"},
		{[]string{"run", "--rm", "-e", "A=1", "-w", "/tmp", "-h", "box", "-u", "nobody", "busybox", "sh", "-c", "echo $A $(pwd) $(hostname) $(id -un)"}, 0, "1 /tmp box nobody\n", ""},
		{[]string{"run", "--rm", "busybox", "nope"}, 127, "", "executable file not found"},
		{[]string{"run", "--rm", "busybox", "/etc/passwd"}, 126, "", "permission denied"},
		{[]string{"run", "--rm", "--pull", "never", "nosuchimage"}, 125, "", "unable to find image 'nosuchimage'"},
		{[]string{"run", "--rm", "-m", "12q", "busybox"}, 125, "", "invalid suffix: 'q'"},
	}
	for _, tt := range tests {
		res := r.run(tt.args...)
		if res.code != tt.wantCode || res.stdout != tt.wantStdout || !strings.Contains(res.stderr, tt.wantStderr) {
			t.Errorf("berth %s: exit %d, stdout %q, stderr %q; want %d, %q, %q",
				strings.Join(tt.args, " "), res.code, res.stdout, res.stderr, tt.wantCode, tt.wantStdout, tt.wantStderr)
		}
	}
	if out := r.must("ps", "-aq"); out != "" {
		t.Errorf("containers left after run --rm: %q", out)
	}
}

func TestRealDetachedLifecycle(t *testing.T) {
	t.Parallel()
	r := newRealCLI(t)
	r.importBusybox()

	id := strings.TrimSpace(r.must("run", "-d", "--name", "web", "-e", "A=1", "-w", "/tmp", "-h", "box", "-l", "tier=front",
		"--restart", "on-failure:3", "busybox", "sh", "-c", "echo out; echo err >&2; while :; do sleep 1; done"))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("run -d printed %q, want a full ID", id)
	}

	var row map[string]string
	if err := json.Unmarshal([]byte(r.must("ps", "--format", "json")), &row); err != nil {
		t.Fatal(err)
	}
	if row["ID"] != id[:12] || row["Names"] != "web" || row["State"] != "running" || !strings.HasPrefix(row["Status"], "Up ") || row["Labels"] != "tier=front" {
		t.Errorf("ps row = %v", row)
	}
	if out := r.must("ps", "-f", "name=web", "-f", "status=running", "--format", "{{.Names}}"); out != "web\n" {
		t.Errorf("ps -f name=web -f status=running = %q", out)
	}

	var logs result
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if logs = r.run("logs", "web"); logs.stdout == "out\n" && logs.stderr == "err\n" {
			break
		}
	}
	if logs.stdout != "out\n" || logs.stderr != "err\n" {
		t.Errorf("logs web: stdout %q stderr %q, want them kept apart", logs.stdout, logs.stderr)
	}
	if res := r.run("logs", "-t", "--tail", "1", "web"); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out|err)\n$`).MatchString(res.stdout + res.stderr) {
		t.Errorf("logs -t --tail 1: %q %q", res.stdout, res.stderr)
	}

	var inspected []struct {
		Id    string
		Name  string
		State struct {
			Status  string
			Running bool
			Pid     int
		}
		Config struct {
			Env        []string
			WorkingDir string
			Hostname   string
		}
		HostConfig struct {
			RestartPolicy struct {
				Name              string
				MaximumRetryCount int
			}
		}
	}
	if err := json.Unmarshal([]byte(r.must("inspect", "web")), &inspected); err != nil || len(inspected) != 1 {
		t.Fatalf("inspect web: %v", err)
	}
	c := inspected[0]
	if c.Id != id || c.Name != "/web" || !c.State.Running || c.State.Pid == 0 || c.Config.WorkingDir != "/tmp" || c.Config.Hostname != "box" ||
		!strings.Contains(strings.Join(c.Config.Env, " "), "A=1") || c.HostConfig.RestartPolicy.Name != "on-failure" || c.HostConfig.RestartPolicy.MaximumRetryCount != 3 {
		t.Errorf("inspect web = %+v", c)
	}
	if out := r.must("inspect", "-f", "{{.State.Status}} {{.Config.Hostname}}", "web"); out != "running box\n" {
		t.Errorf("inspect -f = %q", out)
	}
	hostPID := strconv.Itoa(c.State.Pid)
	if out := r.must("top", "web"); !regexp.MustCompile(`^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^root\s+`+hostPID+`\s+\d+\s.*sh -c echo out`).MatchString(out) {
		t.Errorf("top web (host PID %s):\n%s", hostPID, out)
	}
	if out := r.must("top", "web", "-o", "pid,comm"); !regexp.MustCompile(`^\s*PID\s+COMMAND\n(?s:.*)\b` + hostPID + `\s+sh\n`).MatchString(out) {
		t.Errorf("top web -o pid,comm:\n%s", out)
	}
	if out := r.must("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}"); !strings.HasPrefix(out, "web ") {
		t.Errorf("stats --no-stream = %q", out)
	}

	if out := r.must("exec", "-e", "B=2", "web", "sh", "-c", "echo $A $B $(pwd) $(id -un)"); out != "1 2 /tmp root\n" {
		t.Errorf("exec = %q", out)
	}
	if res := r.run("exec", "-u", "nobody", "-w", "/", "web", "sh", "-c", "pwd; id -un; exit 5"); res.code != 5 || res.stdout != "/\nnobody\n" {
		t.Errorf("exec -u nobody: exit %d, out %q, err %q", res.code, res.stdout, res.stderr)
	}
	if res := r.run("exec", "web", "nope"); res.code != 126 {
		t.Errorf("exec nope: exit %d, err %q", res.code, res.stderr)
	}
	if out := r.must("stop", "-t", "1", "web"); out != "web\n" {
		t.Errorf("stop printed %q", out)
	}
	if out := r.must("ps", "-a", "-f", "status=exited", "--format", "{{.Names}} {{.Status}}"); !strings.HasPrefix(out, "web Exited (137) ") {
		t.Errorf("after stop: %q", out)
	}
	if out := r.must("ps", "-q"); out != "" {
		t.Errorf("ps -q after stop = %q", out)
	}
	if res := r.run("rm", "web", "missing"); res.code != 1 || res.stdout != "web\n" || !strings.Contains(res.stderr, "missing") {
		t.Errorf("rm web missing: exit %d, out %q, err %q", res.code, res.stdout, res.stderr)
	}
	if out := r.must("ps", "-aq"); out != "" {
		t.Errorf("ps -aq after rm = %q", out)
	}
	if entries, _ := os.ReadDir(filepath.Join(r.root, "containers")); len(entries) != 0 {
		t.Errorf("container directories left: %v", entries)
	}
}

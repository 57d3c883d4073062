package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"

	"berth/internal/ptytest"
	"berth/internal/testenv"
)

// dockerRun runs the docker CLI and returns its stdout, stderr and exit
// code; it fails the test only when the CLI could not run at all.
func (a *apiEnv) dockerRun(args ...string) (stdout, stderr string, code int) {
	a.t.Helper()
	return commandOutcome(a.t, a.docker(args...))
}

// post sends a raw API request and returns the status and body.
func (a *apiEnv) post(path, body string) (int, string) {
	a.t.Helper()
	resp, err := a.HTTPClient().Post("http://berth"+path, "application/json", strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestAPIRun is `docker run` attached, through create, attach, wait and
// start: output and exit code as docker's, stdout and stderr apart.
func TestAPIRun(t *testing.T) {
	a := newAPIEnv(t)
	if out, errOut, code := a.dockerRun("run", "--rm", "--pull", "never", "busybox", "echo", "hi"); out != "hi\n" || code != 0 {
		t.Fatalf("docker run --rm busybox echo hi = %q, exit %d (stderr %q), want \"hi\\n\", 0", out, code, errOut)
	}
	if _, errOut, code := a.dockerRun("run", "--rm", "--pull", "never", "busybox", "sh", "-c", "exit 3"); code != 3 {
		t.Fatalf("docker run busybox sh -c 'exit 3' exited %d (stderr %q), want 3", code, errOut)
	}
	piped := a.docker("run", "-i", "--rm", "--pull", "never", "busybox", "sh", "-c", "echo before; cat")
	piped.Stdin = strings.NewReader("piped\n")
	if out, err := piped.Output(); string(out) != "before\npiped\n" || err != nil {
		t.Fatalf("echo piped | docker run -i busybox sh -c 'echo before; cat' = %q, %v", out, err)
	}
	out, errOut, code := a.dockerRun("run", "--pull", "never", "--name", "split", "busybox", "sh", "-c", "echo to-out; echo to-err >&2")
	if out != "to-out\n" || !strings.Contains(errOut, "to-err\n") || strings.Contains(errOut, "to-out") || code != 0 {
		t.Fatalf("docker run with both streams: stdout %q, stderr %q, exit %d", out, errOut, code)
	}
	if out := strings.TrimSpace(a.dockerMust("wait", "split")); out != "0" {
		t.Fatalf("docker wait on an exited container = %q, want 0", out)
	}
	// attach with logs=1 and stream=0 replays the log, multiplexed.
	status, body := a.post("/v1.41/containers/split/attach?logs=1&stream=0&stdout=1&stderr=1", "")
	var gotOut, gotErr bytes.Buffer
	if _, err := stdcopy.StdCopy(&gotOut, &gotErr, strings.NewReader(body)); err != nil || status != http.StatusOK {
		t.Fatalf("attach logs=1 stream=0: %d, %v", status, err)
	}
	if gotOut.String() != "to-out\n" || gotErr.String() != "to-err\n" {
		t.Fatalf("attach logs=1 stream=0: stdout %q, stderr %q", gotOut.String(), gotErr.String())
	}
	if ps := a.must("ps", "-aq"); strings.Count(ps, "\n") != 1 {
		t.Fatalf("after two --rm runs and one without, berth ps -aq =\n%s", ps)
	}
}

// TestAPICreateRefusals: what the API refuses at create, with docker's
// status codes and the field or image named.
func TestAPICreateRefusals(t *testing.T) {
	a := newAPIEnv(t)
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"Image":"nothere:latest"}`, http.StatusNotFound, "No such image: nothere:latest"},
		{`{"Image":"busybox","HostConfig":{"Runtime":"kata"}}`, http.StatusBadRequest, "HostConfig.Runtime"},
		{`{"Image":"busybox","Shell":["/bin/bash"]}`, http.StatusBadRequest, "Config.Shell"},
		{`{"Image":"busybox","NetworkingConfig":{"EndpointsConfig":{"a":{},"b":{}}}}`, http.StatusBadRequest, "EndpointsConfig"},
		{`{"Image":"busybox","Cmd":["true"],"HostConfig":{"MemorySwappiness":-1,"Isolation":"default"}}`, http.StatusCreated, `"Warnings":[]`},
	} {
		status, body := a.post("/v1.41/containers/create", tc.body)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("create %s = %d %s, want %d with %q", tc.body, status, body, tc.status, tc.want)
		}
	}
	if ps := a.must("ps", "-aq"); strings.Count(ps, "\n") != 1 {
		t.Fatalf("refused creates left containers behind: berth ps -aq =\n%s", ps)
	}
}

// TestAPIStartAttached is `docker create` then `docker start -a`: the
// output from the first byte, and the exit code.
func TestAPIStartAttached(t *testing.T) {
	a := newAPIEnv(t)
	a.dockerMust("create", "--name", "later", "busybox", "sh", "-c", "echo started; exit 4")
	out, errOut, code := a.dockerRun("start", "-a", "later")
	if out != "started\n" || code != 4 {
		t.Fatalf("docker start -a = %q, exit %d (stderr %q), want \"started\\n\", 4", out, code, errOut)
	}
}

// TestAPILogsExecWait: a detached container's logs, followed until it
// exits; exec's exit code; docker wait's.
func TestAPILogsExecWait(t *testing.T) {
	a := newAPIEnv(t)
	a.dockerMust("run", "-d", "--name", "web", "busybox", "sh", "-c",
		"echo one; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo two >&2; exit 7")
	deadline := time.Now().Add(ptytest.Patience)
	for !strings.Contains(a.dockerMust("logs", "web"), "one") {
		if time.Now().After(deadline) {
			t.Fatalf("docker logs web never showed the first line")
		}
		time.Sleep(20 * time.Millisecond)
	}
	follow := a.docker("logs", "-f", "web")
	var fout, ferr bytes.Buffer
	follow.Stdout, follow.Stderr = &fout, &ferr
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	wait := a.docker("wait", "web")
	var wout bytes.Buffer
	wait.Stdout = &wout
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := a.dockerRun("exec", "web", "sh", "-c", "exit 5"); code != 5 {
		t.Fatalf("docker exec web sh -c 'exit 5' exited %d (stderr %q)", code, errOut)
	}
	if out := a.dockerMust("exec", "web", "echo", "inside"); out != "inside\n" {
		t.Fatalf("docker exec web echo inside = %q", out)
	}
	a.dockerMust("exec", "web", "touch", "/tmp/go")
	done := make(chan error, 2)
	go func() { done <- follow.Wait() }()
	go func() { done <- wait.Wait() }()
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("docker logs -f or docker wait: %v", err)
			}
		case <-time.After(ptytest.Patience):
			t.Fatalf("docker logs -f and docker wait did not both end within %v of the container's exit", ptytest.Patience)
		}
	}
	if fout.String() != "one\n" || ferr.String() != "two\n" {
		t.Fatalf("docker logs -f: stdout %q, stderr %q, want \"one\\n\", \"two\\n\"", fout.String(), ferr.String())
	}
	if got := strings.TrimSpace(wout.String()); got != "7" {
		t.Fatalf("docker wait web = %q, want 7", got)
	}
	if out := a.dockerMust("logs", "--tail", "1", "web"); out != "" {
		t.Fatalf("docker logs --tail 1 web on stdout = %q, want nothing (the last line is stderr's)", out)
	}
}

// TestAPIRunTTY is `docker run -it` in a real terminal: attached before
// the start, the terminal's size through resize, the shell's exit code.
func TestAPIRunTTY(t *testing.T) {
	a := newAPIEnv(t)
	term := ptytest.Start(t, a.docker("run", "-it", "--rm", "--pull", "never", "busybox", "sh"), 27, 101)
	term.Expect(prompt)
	term.Send("stty size\r")
	term.Expect(`\r\n27 101\r\n`)
	term.Expect(prompt)
	term.Send("exit 3\r")
	if code := term.Wait(); code != 3 {
		t.Fatalf("docker run -it busybox sh exited %d after exit 3", code)
	}
}

// TestAPIExecTTY is `docker exec -it` in a real terminal: the shell's
// prompt, the terminal's size and its changes, its exit code.
func TestAPIExecTTY(t *testing.T) {
	a := newAPIEnv(t)
	a.dockerMust("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	term := ptytest.Start(t, a.docker("exec", "-it", "box", "sh"), 27, 101)
	term.Expect(prompt)
	term.Send("stty size\r")
	term.Expect(`\r\n27 101\r\n`)
	term.Expect(prompt)
	term.Resize(30, 90)
	term.Send("stty size\r")
	term.Expect(`\r\n30 90\r\n`)
	term.Expect(prompt)
	term.Send("exit 6\r")
	if code := term.Wait(); code != 6 {
		t.Fatalf("docker exec -it box sh exited %d after exit 6", code)
	}
}

// TestAPIAttach is `docker attach` in a real terminal to a running tty
// container: its output, input, and the detach keys leave it running.
func TestAPIAttach(t *testing.T) {
	a := newAPIEnv(t)
	a.dockerMust("run", "-d", "-it", "--name", "shell", "busybox", "sh")
	// A resize with no attach in progress reaches the container's terminal.
	if status, body := a.post("/v1.41/containers/shell/resize?h=33&w=77", ""); status != http.StatusOK {
		t.Fatalf("resize shell = %d %s", status, body)
	}
	if out := a.dockerMust("exec", "shell", "sh", "-c", "stty size </proc/1/fd/0"); out != "33 77\n" {
		t.Fatalf("the container's terminal after a resize to 33x77 is %q", out)
	}
	term := ptytest.Start(t, a.docker("attach", "shell"), 24, 80)
	term.Send("echo sum-$((20+22))\r")
	term.Expect(`sum-42`)
	term.Send("\x10\x11")
	// docker 20.10's attach itself ends so after a detach, against
	// dockerd too: "read escape sequence" and exit code 1.
	term.Expect("read escape sequence")
	if code := term.Wait(); code != 1 {
		t.Fatalf("docker attach exited %d after the detach keys, want docker's 1", code)
	}
	if status := a.inspect(".State.Status", "shell"); status != "running" {
		t.Fatalf("shell is %s after detaching, want running", status)
	}
}

// TestAPIStats is `docker stats --no-stream`: a sample of one container,
// its memory in use.
func TestAPIStats(t *testing.T) {
	a := newAPIEnv(t)
	a.dockerMust("run", "-d", "--name", "idle", "busybox", "sleep", "1000")
	out := a.dockerMust("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}", "idle")
	f := strings.Fields(out)
	if len(f) < 4 || f[0] != "idle" || !strings.HasSuffix(f[1], "%") || f[2] == "0B" || f[len(f)-1] != "1" {
		t.Fatalf("docker stats --no-stream idle = %q, want its name, a CPU share, memory in use and 1 PID", out)
	}
	// The stream: each sample's precpu is the one before's cpu.
	resp, err := a.HTTPClient().Get("http://berth/v1.41/containers/idle/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	var first, second container.StatsResponse
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&second); err != nil {
		t.Fatal(err)
	}
	if second.PreCPUStats.CPUUsage.TotalUsage != first.CPUStats.CPUUsage.TotalUsage || !second.PreRead.Equal(first.Read) ||
		second.CPUStats.SystemUsage <= first.CPUStats.SystemUsage || second.MemoryStats.Usage == 0 || second.PidsStats.Current != 1 {
		t.Fatalf("stats stream: first %+v, then %+v", first, second)
	}
	// one-shot: one sample at once, no precpu.
	resp2, err := a.HTTPClient().Get("http://berth/v1.41/containers/idle/stats?stream=0&one-shot=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var one container.StatsResponse
	if err := json.NewDecoder(resp2.Body).Decode(&one); err != nil || one.Name != "/idle" || one.PreCPUStats.SystemUsage != 0 {
		t.Fatalf("one-shot stats: %+v, %v", one, err)
	}
}

// TestAPIDockerPy: docker-py's containers.run returns the output, and
// exec_run the exit code and output of a command.
func TestAPIDockerPy(t *testing.T) {
	a := newAPIEnv(t)
	py := testenv.DebianPython(t)
	script := `
import docker
c = docker.from_env()
out = c.containers.run("busybox", ["sh", "-c", "echo from-py"], name="py")
assert out == b"from-py\n", out
box = c.containers.run("busybox", ["sleep", "1000"], name="pybox", detach=True)
code, out = box.exec_run(["sh", "-c", "echo ran; exit 2"])
assert (code, out) == (2, b"ran\n"), (code, out)
print("ok")
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = a.clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("docker-py: %v\n%s", err, out)
	}
}

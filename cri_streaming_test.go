package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/internal/ptytest"
	"berth/internal/testenv"
)

// crictlEnv is crictl (built by crictlBinary) configured for a criEnv's
// socket, with a directory for its pod and container files.
type crictlEnv struct {
	*criEnv
	t      *testing.T
	bin    string
	dir    string
	config string
}

func newCrictlEnv(t *testing.T, e *criEnv) *crictlEnv {
	t.Helper()
	c := &crictlEnv{criEnv: e, t: t, bin: crictlBinary(t), dir: t.TempDir()}
	endpoint := "unix://" + e.sock
	c.config = c.write("crictl.yaml", "runtime-endpoint: "+endpoint+"\nimage-endpoint: "+endpoint+"\ntimeout: 60\n")
	return c
}

// write makes a file in the crictl directory and returns its path.
func (c *crictlEnv) write(name, text string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// cmd is crictl args… on the test's configuration, not yet started.
func (c *crictlEnv) cmd(args ...string) *exec.Cmd {
	return exec.Command(c.bin, append([]string{"--config", c.config}, args...)...)
}

// run runs crictl args… and returns its stdout; it must succeed.
func (c *crictlEnv) run(args ...string) string {
	c.t.Helper()
	cmd := c.cmd(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("crictl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// runPod makes a pod named name with crictl runp and returns its ID and
// its config file, for create.
func (c *crictlEnv) runPod(name string) (id, config string) {
	c.t.Helper()
	config = c.write(name+"-pod.json", fmt.Sprintf(`{"metadata": {"name": %q, "namespace": "default", "uid": "uid-%s"},
		"hostname": %q, "log_directory": %q, "linux": {"cgroup_parent": %q}}`,
		name, name, name, filepath.Join(c.dir, "logs", name), c.parent+"/pod-"+name))
	return strings.TrimSpace(c.run("runp", config)), config
}

// startContainer creates and starts a busybox container in the pod from
// the JSON fields extra (command, stdin, tty…) and returns its ID.
func (c *crictlEnv) startContainer(pod, podConfig, name, extra string) string {
	c.t.Helper()
	cfg := c.write(name+"-ctr.json", fmt.Sprintf(`{"metadata": {"name": %q}, "image": {"image": "busybox"}, "log_path": "%s.log", %s}`, name, name, extra))
	id := strings.TrimSpace(c.run("create", "--no-pull", pod, cfg, podConfig))
	c.run("start", id)
	return id
}

// outcome runs crictl args… with stdin and returns its stdout, stderr
// and exit code.
func (c *crictlEnv) outcome(stdin string, args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := c.cmd(args...)
	cmd.Stdin = strings.NewReader(stdin)
	return commandOutcome(c.t, cmd)
}

// commandOutcome runs cmd and returns its stdout, stderr and exit code;
// it fails the test only when cmd could not run at all.
func commandOutcome(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// awaitSize asks the shell on term for its terminal's size (stty size)
// until it is rows×cols: a resize reaches the container's terminal
// through the stream, a moment after the window changed.
func awaitSize(t *testing.T, term *ptytest.Terminal, rows, cols int) {
	t.Helper()
	want := fmt.Sprintf("%d %d", rows, cols)
	for deadline := time.Now().Add(ptytest.Patience); ; {
		term.Send("stty size\r")
		if strings.Contains(term.Expect(`\d+ \d+\r?\n`), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the container's terminal never took the size %d×%d", rows, cols)
		}
	}
}

// TestCRIExec: crictl exec through berth cri's streaming server: output
// on both streams, a non-zero exit code, stdin, an interactive shell on
// a real terminal that follows the window's size, and exec --sync.
func TestCRIExec(t *testing.T) {
	c := newCrictlEnv(t, newCRIEnv(t, newBerthEnv(t)))
	pod, podConfig := c.runPod("execpod")
	ctr := c.startContainer(pod, podConfig, "sleeper", `"command": ["sleep", "3600"]`)

	out, errOut, code := c.outcome("", "exec", ctr, "sh", "-c", "echo out; echo err >&2; exit 3")
	if out != "out\n" || !strings.Contains(errOut, "err\n") {
		t.Errorf("crictl exec: stdout %q, stderr %q", out, errOut)
	}
	if code == 0 || !strings.Contains(errOut, "exit code 3") {
		t.Errorf("crictl exec of a command that exits 3: exit %d, stderr %q", code, errOut)
	}
	if out, errOut, code := c.outcome("", "exec", ctr, "true"); code != 0 || out != "" {
		t.Errorf("crictl exec true: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, code := c.outcome("", "exec", ctr, "no-such-command"); code == 0 || !strings.Contains(errOut, "exit code 126") {
		t.Errorf("crictl exec of a missing command: exit %d, stderr %q", code, errOut)
	}
	if out, errOut, code := c.outcome("piped\n", "exec", "-i", ctr, "sh", "-c", "read l; echo got $l"); code != 0 || out != "got piped\n" {
		t.Errorf("crictl exec -i: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// crictl adds blank lines of its own after exec --sync's output.
	if out := c.run("exec", "-s", ctr, "echo", "synced"); strings.TrimSpace(out) != "synced" {
		t.Errorf("crictl exec -s: %q", out)
	}

	term := ptytest.Start(t, c.cmd("exec", "-it", ctr, "sh"), 30, 100)
	term.Expect(prompt)
	term.Send("stty size; tty\r")
	term.Expect(`30 100\r?\n/dev/pts/\d+`)
	term.Resize(40, 120)
	awaitSize(t, term, 40, 120)
	term.Send("exit 5\r")
	term.Expect("exit code 5")
	if code := term.Wait(); code == 0 {
		t.Errorf("crictl exec -it of a shell that exits 5: exit %d", code)
	}
	term.RequireRestored("crictl exec -it")

	// A client that goes away hangs the exec's terminal up: its shell
	// ends.
	gone := ptytest.Start(t, c.cmd("exec", "-it", ctr, "sh"), 30, 100)
	gone.Expect(prompt)
	gone.Signal(syscall.SIGKILL)
	gone.Wait()
	for deadline := time.Now().Add(ptytest.Patience); ; time.Sleep(50 * time.Millisecond) {
		ps := c.run("exec", "-s", ctr, "ps", "-o", "args")
		if !slices.Contains(strings.Fields(strings.ReplaceAll(ps, " ", "_")), "sh") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shell of a client that went away still runs:\n%s", ps)
		}
	}
}

// TestCRIAttach: crictl attach to a container's own stdio, through berth
// cri's streaming server: without a tty, input reaches the container
// byte for byte and its end leaves the container running for the next
// attach; with one,
// an interactive shell that follows the window's size.
func TestCRIAttach(t *testing.T) {
	c := newCrictlEnv(t, newCRIEnv(t, newBerthEnv(t)))
	pod, podConfig := c.runPod("attachpod")
	echo := c.startContainer(pod, podConfig, "echo",
		`"command": ["sh", "-c", "while read l; do echo \"got $l\"; done; echo stdin closed"], "stdin": true`)
	// The second line holds docker's detach keys (ctrl-p ctrl-q): a CRI
	// attach has none, they reach the container like any input.
	for _, line := range []string{"hello", "keys \x10\x11 passed"} {
		cmd := c.cmd("attach", "-i", echo)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr testenv.LockedBuffer // read while crictl runs
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			l, _ := bufio.NewReader(stdout).ReadString('\n') // an error leaves l short: the check below fails
			got <- l
			_, _ = io.Copy(io.Discard, stdout) // until crictl exits
		}()
		if _, err := io.WriteString(stdin, line+"\n"); err != nil {
			t.Fatal(err)
		}
		if l := <-got; l != "got "+line+"\n" {
			t.Errorf("crictl attach -i: %q, want %q (stderr %q)", l, "got "+line+"\n", stderr.String())
		}
		_ = stdin.Close() // the end of input ends the session
		if err := cmd.Wait(); err != nil {
			t.Fatalf("crictl attach -i after the end of its input: %v: %s", err, stderr.String())
		}
		if st := c.run("inspect", "-o", "go-template", "--template", "{{.status.state}}", echo); strings.TrimSpace(st) != "CONTAINER_RUNNING" {
			t.Fatalf("the container after an attach ended: %q", st)
		}
	}

	shell := c.startContainer(pod, podConfig, "shell", `"command": ["sh"], "stdin": true, "tty": true`)
	term := ptytest.Start(t, c.cmd("attach", "-it", shell), 25, 90)
	// The shell printed its prompt before the attach: ask for output.
	term.Send("stty size\r")
	term.Expect(`25 90\r?\n`)
	term.Resize(33, 111)
	awaitSize(t, term, 33, 111)
	term.Send("exit\r")
	if code := term.Wait(); code != 0 {
		t.Errorf("crictl attach -it until the shell exits: exit %d", code)
	}
	term.RequireRestored("crictl attach -it")
	if st := c.run("inspect", "-o", "go-template", "--template", "{{.status.state}}", shell); strings.TrimSpace(st) != "CONTAINER_EXITED" {
		t.Errorf("the shell's container after exit: %q", st)
	}
}

// TestCRIPortForward: crictl port-forward from 127.0.0.1 to a busybox
// httpd that listens on the pod's localhost only, through berth cri's
// streaming server; a port nothing listens on fails the connection.
func TestCRIPortForward(t *testing.T) {
	c := newCrictlEnv(t, newCRIEnv(t, newBerthEnv(t)))
	pod, podConfig := c.runPod("fwdpod")
	c.startContainer(pod, podConfig, "web",
		`"command": ["sh", "-c", "mkdir -p /www && echo forwarded from $(hostname) > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"]`)
	local := freePort(t)
	idle := freePort(t)
	cmd := c.cmd("port-forward", pod, fmt.Sprintf("%d:8080", local), fmt.Sprintf("%d:9999", idle))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr testenv.LockedBuffer // read while crictl runs
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // crictl port-forward runs until stopped
		_ = cmd.Wait()         // killed: its status says so
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var seen string
		for sc.Scan() {
			seen += sc.Text() + "\n"
			if strings.Contains(seen, fmt.Sprintf("127.0.0.1:%d", idle)) {
				ready <- seen
				break
			}
		}
		close(ready)
		_, _ = io.Copy(io.Discard, stdout) // until crictl exits
	}()
	if _, ok := <-ready; !ok {
		t.Fatalf("crictl port-forward never forwarded: %s", stderr.String())
	}
	// Two connections, one after the other, over the one forward; the
	// server answers on the pod's localhost (the web container waits for
	// nothing, so ask until it listens).
	for i := range 2 {
		var body string
		for deadline := time.Now().Add(ptytest.Patience); ; time.Sleep(50 * time.Millisecond) {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/index.html", local))
			if err == nil {
				b, rerr := io.ReadAll(resp.Body)
				_ = resp.Body.Close() // read through
				if body = string(b); rerr == nil && resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %d through the forward: %v %q; crictl: %s", i, err, body, stderr.String())
			}
		}
		if body != "forwarded from fwdpod\n" {
			t.Errorf("GET %d through the forward: %q", i, body)
		}
	}
	if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", idle)); err == nil {
		_ = resp.Body.Close() // not expected at all
		t.Errorf("a forward to a port nothing listens on answered %s", resp.Status)
	}

	// The streaming server listens on the loopback address, and stops
	// with berth cri.
	pf, err := c.rt.PortForward(context.Background(), &runtimeapi.PortForwardRequest{PodSandboxId: pod})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pf.Url)
	if err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("port forward URL %q: %v", pf.Url, err)
	}
	c.stop()
	if conn, err := net.Dial("tcp", u.Host); err == nil {
		_ = conn.Close() // a probe
		t.Errorf("the streaming server still listens on %s after berth cri stopped", u.Host)
	}
	c.start(t) // for the cleanup, which removes the pod through it
}

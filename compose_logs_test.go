package main

import (
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/internal/testenv"
)

// loopUntilTerm is a service's command that prints its lines, then runs
// until SIGTERM, which it obeys at once (busybox sh as PID 1 would
// otherwise ignore it).
func loopUntilTerm(lines ...string) string {
	return `["sh", "-c", "trap 'exit 0' TERM; for l in ` + strings.Join(lines, " ") + `; do echo $$l; done; while true; do sleep 0.1; done"]`
}

// background is a berth process the test started and waits for.
type background struct {
	cmd            *exec.Cmd
	stdout, stderr testenv.LockedBuffer
	done           chan struct{}
	err            error
}

// start runs `berth compose ARGS` in the background.
func (c *composeEnv) start(args ...string) *background {
	c.t.Helper()
	bg := &background{cmd: c.berth(append([]string{"compose"}, args...)...), done: make(chan struct{})}
	bg.cmd.Dir = c.dir
	bg.cmd.Stdout, bg.cmd.Stderr = &bg.stdout, &bg.stderr
	if err := bg.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() {
		bg.err = bg.cmd.Wait()
		close(bg.done)
	}()
	c.t.Cleanup(func() {
		select {
		case <-bg.done:
		default:
			_ = bg.cmd.Process.Kill()
			<-bg.done
		}
	})
	return bg
}

// wait is the exit code of the process, failing the test if it has not
// ended within a deadline.
func (bg *background) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-bg.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("berth %s never returned; stdout:\n%s\nstderr:\n%s", strings.Join(bg.cmd.Args[1:], " "), bg.stdout.String(), bg.stderr.String())
	}
	if ee, ok := bg.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if bg.err != nil {
		t.Fatal(bg.err)
	}
	return 0
}

// TestComposeLogs shows two services' lines interleaved, each prefixed
// with its container's name padded to the widest, then --tail,
// --no-log-prefix, -t, a service alone, --index, and -f returning once
// the containers stop.
func TestComposeLogs(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: `+loopUntilTerm("web-a", "web-b")+`
  worker:
    image: busybox:latest
    command: `+loopUntilTerm("worker-a", "worker-b")+`
`)
	c.mustCompose("-p", "lg", "up", "-d")
	var out string
	c.eventually("both services' lines", func() (bool, string) {
		out = c.mustCompose("-p", "lg", "logs")
		return strings.Contains(out, "web-b") && strings.Contains(out, "worker-b"), out
	})
	for _, want := range []string{"web-1     | web-a\n", "web-1     | web-b\n", "worker-1  | worker-a\n", "worker-1  | worker-b\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("compose logs lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("compose logs coloured output that is not a terminal:\n%q", out)
	}
	if out := c.mustCompose("-p", "lg", "logs", "--tail", "1"); out != "web-1     | web-b\nworker-1  | worker-b\n" && out != "worker-1  | worker-b\nweb-1     | web-b\n" {
		t.Errorf("compose logs --tail 1:\n%q", out)
	}
	if out := c.mustCompose("-p", "lg", "logs", "--no-log-prefix", "web"); out != "web-a\nweb-b\n" {
		t.Errorf("compose logs --no-log-prefix web:\n%q", out)
	}
	if out := c.mustCompose("-p", "lg", "logs", "--index", "1", "worker"); out != "worker-1  | worker-a\nworker-1  | worker-b\n" {
		t.Errorf("compose logs --index 1 worker:\n%q", out)
	}
	if code, out := c.composeCode("-p", "lg", "logs", "--index", "2", "worker"); code == 0 || !strings.Contains(out, `service "worker" is not running container #2`) {
		t.Errorf("compose logs --index 2 worker: exit %d\n%s", code, out)
	}
	if out := c.mustCompose("-p", "lg", "logs", "--since", "1h", "web"); out != "web-1  | web-a\nweb-1  | web-b\n" {
		t.Errorf("compose logs --since 1h web:\n%q", out)
	}
	if out := c.mustCompose("-p", "lg", "logs", "--until", "1h"); out != "" {
		t.Errorf("compose logs --until 1h (an hour ago):\n%q", out)
	}
	if code, out := c.composeCode("-p", "lg", "logs", "--since", "yesterday"); code == 0 || !strings.Contains(out, `invalid value for "since"`) {
		t.Errorf("compose logs --since yesterday: exit %d\n%s", code, out)
	}
	stamped := regexp.MustCompile(`(?m)^web-1  \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) web-a$`)
	if out := c.mustCompose("-p", "lg", "logs", "-t", "web"); !stamped.MatchString(out) {
		t.Errorf("compose logs -t web:\n%s", out)
	}

	follow := c.start("-p", "lg", "logs", "-f")
	c.eventually("logs -f reading both containers", func() (bool, string) {
		out := follow.stdout.String()
		return strings.Contains(out, "web-b") && strings.Contains(out, "worker-b"), out
	})
	c.mustCompose("-p", "lg", "stop")
	if code := follow.wait(t); code != 0 {
		t.Fatalf("compose logs -f: exit %d\n%s%s", code, follow.stdout.String(), follow.stderr.String())
	}
	for _, want := range []string{"web-1 exited with code 0\n", "worker-1 exited with code 0\n"} {
		if !strings.Contains(follow.stdout.String(), want) {
			t.Errorf("compose logs -f lacks %q:\n%s", want, follow.stdout.String())
		}
	}
}

// TestComposeUpAttached runs a project whose services end by themselves
// in the foreground: their lines prefixed, Docker Compose's exit lines,
// and exit 0 once all have ended.
func TestComposeUpAttached(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  first:
    image: busybox:latest
    command: ["sh", "-c", "echo first says hi; exit 3"]
  second:
    image: busybox:latest
    command: ["sh", "-c", "echo second says hi; sleep 1; echo second done"]
`)
	up := c.start("-p", "att", "up")
	if code := up.wait(t); code != 0 {
		t.Fatalf("compose up: exit %d\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	out := up.stdout.String()
	for _, want := range []string{"Attaching to first-1, second-1\n", "first-1   | first says hi\n", "second-1  | second says hi\n",
		"second-1  | second done\n", "first-1 exited with code 3\n", "second-1 exited with code 0\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("compose up lacks %q:\n%s", want, out)
		}
	}
}

// TestComposeUpExitCodeFrom stops the project when the chosen service's
// container exits and exits with its code.
func TestComposeUpExitCodeFrom(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: `+loopUntilTerm("serving")+`
  job:
    image: busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "echo job ran; exit 7"]
`)
	up := c.start("-p", "ecf", "up", "--exit-code-from", "job")
	if code := up.wait(t); code != 7 {
		t.Fatalf("compose up --exit-code-from job: exit %d, want 7\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	for _, want := range []string{"job-1  | job ran\n", "job-1 exited with code 7\n", "web-1 exited with code 0\n"} {
		if !strings.Contains(up.stdout.String(), want) {
			t.Errorf("compose up lacks %q:\n%s", want, up.stdout.String())
		}
	}
	if !strings.Contains(up.stderr.String(), "Aborting on container exit...") {
		t.Errorf("compose up never said it aborts:\n%s", up.stderr.String())
	}
	if out := c.mustCompose("-p", "ecf", "ps", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("containers still running after the abort: %s", out)
	}
}

// TestComposeUpInterrupted stops an attached project on SIGINT and exits
// with 130, as Docker Compose on Ctrl-C.
func TestComposeUpInterrupted(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: `+loopUntilTerm("web-up")+`
  worker:
    image: busybox:latest
    command: `+loopUntilTerm("worker-up")+`
`)
	up := c.start("-p", "sig", "up")
	c.eventually("both services attached", func() (bool, string) {
		out := up.stdout.String()
		return strings.Contains(out, "web-1     | web-up") && strings.Contains(out, "worker-1  | worker-up"), out + up.stderr.String()
	})
	if err := up.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := up.wait(t); code != 130 {
		t.Fatalf("compose up after SIGINT: exit %d, want 130\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	if !strings.Contains(up.stderr.String(), "Gracefully stopping... (press Ctrl+C again to force)") {
		t.Errorf("compose up never said it stops:\n%s", up.stderr.String())
	}
	for _, want := range []string{"web-1 exited with code 0\n", "worker-1 exited with code 0\n"} {
		if !strings.Contains(up.stdout.String(), want) {
			t.Errorf("compose up lacks %q:\n%s", want, up.stdout.String())
		}
	}
	if out := c.mustCompose("-p", "sig", "ps", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("containers still running after SIGINT: %s", out)
	}
}

// TestComposeUpForcedStop kills, on a second SIGINT, containers that the
// first one could not stop (they ignore SIGTERM and may take minutes).
func TestComposeUpForcedStop(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  stubborn:
    image: busybox:latest
    stop_grace_period: 5m
    command: ["sh", "-c", "echo stubborn-up; while true; do sleep 0.1; done"]
`)
	up := c.start("-p", "force", "up")
	c.eventually("the service attached", func() (bool, string) {
		return strings.Contains(up.stdout.String(), "stubborn-1  | stubborn-up"), up.stdout.String() + up.stderr.String()
	})
	if err := up.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	c.eventually("the graceful stop begun", func() (bool, string) {
		return strings.Contains(up.stderr.String(), "Container force-stubborn-1  Stopping"), up.stderr.String()
	})
	if err := up.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := up.wait(t); code != 130 {
		t.Fatalf("compose up after two SIGINTs: exit %d, want 130\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	if !strings.Contains(up.stdout.String(), "stubborn-1 exited with code 137\n") {
		t.Errorf("compose up lacks the kill's exit:\n%s", up.stdout.String())
	}
}

// TestComposeUpAbortOnExit stops every service when the one attached
// exits, with its code; --no-attach hides a service's lines and leaves
// it unwatched.
func TestComposeUpAbortOnExit(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: `+loopUntilTerm("web-line")+`
  job:
    image: busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "echo job-line; exit 4"]
`)
	up := c.start("-p", "abort", "up", "--abort-on-container-exit", "--no-attach", "web")
	if code := up.wait(t); code != 4 {
		t.Fatalf("compose up --abort-on-container-exit: exit %d, want 4\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	out := up.stdout.String()
	if !strings.Contains(out, "Attaching to job-1\n") || !strings.Contains(out, "job-1  | job-line\n") || !strings.Contains(out, "job-1 exited with code 4\n") {
		t.Errorf("compose up --no-attach web:\n%s", out)
	}
	if strings.Contains(out, "web-line") {
		t.Errorf("compose up shows the lines of a service not attached:\n%s", out)
	}
	if ps := c.mustCompose("-p", "abort", "ps", "-q"); strings.TrimSpace(ps) != "" {
		t.Errorf("containers still running after the abort: %s", ps)
	}
}

// TestComposeUpAttachedWhileStarting shows a dependency's lines while up
// still waits for it to turn healthy: it turns healthy only once the
// test has seen its line.
func TestComposeUpAttachedWhileStarting(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  db:
    image: busybox:latest
    command: `+loopUntilTerm("db-waiting")+`
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
  web:
    image: busybox:latest
    depends_on:
      db:
        condition: service_healthy
    command: ["sh", "-c", "echo web-ran"]
`)
	up := c.start("-p", "live", "up", "--exit-code-from", "web")
	c.eventually("the dependency's line while up waits for it", func() (bool, string) {
		return strings.Contains(up.stdout.String(), "db-1   | db-waiting\n"), up.stdout.String() + up.stderr.String()
	})
	c.must("exec", "live-db-1", "touch", "/tmp/ready")
	if code := up.wait(t); code != 0 {
		t.Fatalf("compose up --exit-code-from web: exit %d\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	for _, want := range []string{"Attaching to db-1, web-1\n", "web-1  | web-ran\n", "web-1 exited with code 0\n", "db-1 exited with code 0\n"} {
		if !strings.Contains(up.stdout.String(), want) {
			t.Errorf("compose up lacks %q:\n%s", want, up.stdout.String())
		}
	}
}

// TestComposeUpRestarting follows a container through the restarts of
// its restart policy, as Docker Compose says them, to its last exit.
func TestComposeUpRestarting(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  crashy:
    image: busybox:latest
    restart: on-failure:2
    command: ["sh", "-c", "echo crash; sleep 1; exit 5"]
`)
	up := c.start("-p", "rst", "up")
	if code := up.wait(t); code != 0 {
		t.Fatalf("compose up: exit %d\n%s%s", code, up.stdout.String(), up.stderr.String())
	}
	out := up.stdout.String()
	if n := strings.Count(out, "crashy-1  | crash\n"); n != 3 {
		t.Errorf("compose up shows %d runs' lines, want 3:\n%s", n, out)
	}
	if !strings.Contains(out, "crashy-1 exited with code 5 (restarting)\n") || !strings.HasSuffix(out, "crashy-1 exited with code 5\n") {
		t.Errorf("compose up's exits:\n%s", out)
	}
}

// TestComposeLogsFollowRestart follows a service through `compose
// restart` (its new run's lines too) while another runs on, until both
// stop. (With every container stopped at once, -f ends, as Docker
// Compose's.)
func TestComposeLogsFollowRestart(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: `+loopUntilTerm("run-line")+`
  other:
    image: busybox:latest
    command: `+loopUntilTerm("other-line")+`
`)
	c.mustCompose("-p", "fr", "up", "-d")
	follow := c.start("-p", "fr", "logs", "-f")
	c.eventually("the first run's lines", func() (bool, string) {
		out := follow.stdout.String()
		return strings.Count(out, "web-1    | run-line\n") == 1 && strings.Contains(out, "other-1  | other-line\n"), out
	})
	c.mustCompose("-p", "fr", "restart", "web")
	c.eventually("the second run's line", func() (bool, string) {
		return strings.Count(follow.stdout.String(), "web-1    | run-line\n") == 2, follow.stdout.String()
	})
	c.mustCompose("-p", "fr", "stop")
	if code := follow.wait(t); code != 0 {
		t.Fatalf("compose logs -f: exit %d\n%s%s", code, follow.stdout.String(), follow.stderr.String())
	}
	for _, want := range []string{"web-1 exited with code 0\n", "other-1 exited with code 0\n"} {
		if !strings.Contains(follow.stdout.String(), want) {
			t.Errorf("compose logs -f lacks %q:\n%s", want, follow.stdout.String())
		}
	}
}

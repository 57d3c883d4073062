package main

import (
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"berth/internal/ptytest"
)

// runProject is a server and an app that depends on it, for compose
// run and exec: db serves a page the app fetches by the service's name.
const runProject = `services:
  db:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo db-up > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
  app:
    image: busybox:latest
    depends_on: [db]
    command: ["true"]
    ports: ["127.0.0.1::9090"]
    environment:
      FROM_FILE: from-file
`

// oneoffs is the names of project's `compose run` containers.
func (c *composeEnv) oneoffs(project string) string {
	c.t.Helper()
	return strings.TrimSpace(c.must("ps", "-a", "--format", "{{.Names}}",
		"--filter", "label=com.docker.compose.project="+project, "--filter", "label=com.docker.compose.oneoff=True"))
}

// TestComposeRunRm runs a one-off command that reaches its dependency,
// started for it, by name: berth ends with the command's exit code, the
// one-off container is gone, the dependency runs on.
func TestComposeRunRm(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", runProject)
	code, out := c.composeCode("run", "--rm", "-T", "-e", "X=from-flag", "app",
		"sh", "-c", `echo "$FROM_FILE $X"; until wget -q -O - http://db:8080/; do sleep 0.2; done; exit 7`)
	if code != 7 {
		t.Fatalf("compose run --rm exited %d, want the command's 7:\n%s", code, out)
	}
	for _, want := range []string{"from-file from-flag", "db-up"} {
		if !strings.Contains(out, want) {
			t.Errorf("compose run output lacks %q:\n%s", want, out)
		}
	}
	c.eventually("the --rm container is removed", func() (bool, string) {
		left := c.oneoffs("proj")
		return left == "", left
	})
	if status := c.inspect(".State.Status", "proj-db-1"); status != "running" {
		t.Errorf("the dependency proj-db-1 is %s after run, want running", status)
	}
	// Without a terminal, stdin still reaches the command (-i is on by
	// default) and no TTY is asked for.
	cmd := c.berth("compose", "run", "--rm", "--no-deps", "app", "sh", "-c", "tr a-z A-Z; test -t 0 || echo no-tty")
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader("piped\n")
	if out, err := cmd.Output(); err != nil || string(out) != "PIPED\nno-tty\n" {
		t.Errorf("compose run with piped stdin: %v, %q", err, out)
	}
	if ps := c.mustCompose("ps", "--services"); strings.TrimSpace(ps) != "db" {
		t.Errorf("compose ps --services after run: %q, want only db", ps)
	}
}

// TestComposeRunDetached leaves a one-off container running: named
// project-service-run-ID, labelled oneoff=True without a number, its
// service ports not published, listed by ps -a and removed by down.
func TestComposeRunDetached(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", runProject)
	id := strings.TrimSpace(c.mustCompose("run", "-d", "--no-deps", "-l", "role=batch", "app", "sleep", "300"))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("compose run -d printed %q, want the container's ID", id)
	}
	name := c.inspect(".Name", id)
	if !regexp.MustCompile(`^/proj-app-run-[0-9a-f]{12}$`).MatchString(name) {
		t.Errorf("one-off container is named %q, want proj-app-run-<12 hex>", name)
	}
	labels := c.inspect(`index .Config.Labels "com.docker.compose.oneoff"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "role"}} {{index .Config.Labels "com.docker.compose.container-number"`, id)
	if labels != "True app batch" {
		t.Errorf("one-off labels: %q, want \"True app batch\" and no number", labels)
	}
	if ports := c.inspect("json .HostConfig.PortBindings", id); ports != "{}" {
		t.Errorf("compose run published %s, want no service ports without --service-ports", ports)
	}
	published := strings.TrimSpace(c.mustCompose("run", "-d", "--no-deps", "-p", "127.0.0.1::7070", "app", "sleep", "300"))
	if ports := c.inspect("json .HostConfig.PortBindings", published); !strings.Contains(ports, `"7070/tcp":[{"HostIp":"127.0.0.1"`) || strings.Contains(ports, "9090") {
		t.Errorf("compose run -p 127.0.0.1::7070 published %s", ports)
	}
	if out := c.must("ps", "-q", "--filter", "name=proj-db"); strings.TrimSpace(out) != "" {
		t.Errorf("run --no-deps started the dependency: %s", out)
	}
	if ps := c.mustCompose("ps", "-a"); !strings.Contains(ps, strings.TrimPrefix(name, "/")) {
		t.Errorf("compose ps -a lacks the one-off container %s:\n%s", name, ps)
	}
	c.mustCompose("down", "-t", "1")
	c.assertNothingLeft("proj")
}

// TestComposeRunTerminal runs a one-off shell on a terminal, as a person
// types `berth compose run --rm app`, and exec with one.
func TestComposeRunTerminal(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", runProject)
	cmd := c.berth("compose", "run", "--rm", "app", "sh")
	cmd.Dir = c.dir
	term := ptytest.Start(t, cmd, 24, 80)
	term.Expect(prompt)
	term.Send("tty; stty size\r")
	term.Expect(`\r\n/dev/pts/\d+\r\n24 80\r\n`)
	term.Expect(prompt)
	term.Send("exit 3\r")
	if code := term.Wait(); code != 3 {
		t.Fatalf("compose run on a terminal exited %d, want the shell's 3", code)
	}
	term.RequireRestored("compose run")

	cmd = c.berth("compose", "exec", "db", "sh")
	cmd.Dir = c.dir
	term = ptytest.Start(t, cmd, 30, 90)
	term.Expect(prompt)
	term.Send("stty size\r")
	term.Expect(`\r\n30 90\r\n`)
	term.Send("exit 4\r")
	if code := term.Wait(); code != 4 {
		t.Fatalf("compose exec on a terminal exited %d, want the shell's 4", code)
	}
	term.RequireRestored("compose exec")
}

// TestComposeExec runs commands in a service's container: the command's
// exit code, -e, -w, -u, --index; a stopped service is refused with
// Docker Compose's message and 1.
func TestComposeExec(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", runProject)
	c.mustCompose("up", "-d", "db")
	if code, out := c.composeCode("exec", "-T", "db", "sh", "-c", "exit 3"); code != 3 {
		t.Fatalf("compose exec sh -c 'exit 3' exited %d:\n%s", code, out)
	}
	out := c.mustCompose("exec", "-T", "-e", "GREETING=hi", "-w", "/www", "-u", "nobody", "db", "sh", "-c", `echo "$GREETING $(pwd) $(id -un)"; cat index.html`)
	if out != "hi /www nobody\ndb-up\n" {
		t.Errorf("compose exec -e -w -u printed %q", out)
	}
	if code, out := c.composeCode("exec", "-T", "--index", "2", "db", "true"); code != 1 || !strings.Contains(out, `service "db" is not running container #2`) {
		t.Errorf("compose exec --index 2: exit %d, %q", code, out)
	}
	c.mustCompose("exec", "-d", "db", "touch", "/tmp/detached")
	c.eventually("exec -d runs its command", func() (bool, string) {
		code, out := c.composeCode("exec", "-T", "db", "test", "-f", "/tmp/detached")
		return code == 0, out
	})
	cmd := c.berth("compose", "exec", "db", "cat")
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader("to-exec\n")
	if out, err := cmd.Output(); err != nil || string(out) != "to-exec\n" {
		t.Errorf("compose exec with piped stdin: %v, %q", err, out)
	}
	c.mustCompose("stop", "-t", "1", "db")
	code, out := c.composeCode("exec", "-T", "db", "true")
	if code != 1 || !strings.Contains(out, `service "db" is not running`) {
		t.Errorf("compose exec on a stopped service: exit %d, %q; want 1 and service \"db\" is not running", code, out)
	}
}

// TestComposeVerbs is kill, rm, pause, unpause, top, port, images and
// create on a project's containers.
func TestComposeVerbs(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", runProject)
	c.mustCompose("create", "db")
	if status := c.inspect(".State.Status", "proj-db-1"); status != "created" {
		t.Fatalf("compose create left proj-db-1 %s, want created", status)
	}
	c.mustCompose("start", "db")

	addr := strings.TrimSpace(c.mustCompose("port", "db", "8080"))
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(addr) {
		t.Errorf("compose port db 8080 printed %q, want 127.0.0.1:PORT", addr)
	}
	if code, out := c.composeCode("port", "--protocol", "udp", "db", "8080"); code != 1 || !strings.Contains(out, "no port 8080/udp for container proj-db-1: 8080/tcp") {
		t.Errorf("compose port for an unpublished port: exit %d, %q", code, out)
	}

	top := c.mustCompose("top")
	if !regexp.MustCompile(`(?m)^SERVICE\s+#\s+UID\s+PID.*CMD\n(db\s+1\s+root\s+\d+.*httpd -f -p 8080 -h /www\n)`).MatchString(top) {
		t.Errorf("compose top:\n%s", top)
	}

	images := c.mustCompose("images")
	if !regexp.MustCompile(`(?m)^CONTAINER\s+REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE\nproj-db-1\s+busybox\s+latest\s+[0-9a-f]{12}\s+\d`).MatchString(images) {
		t.Errorf("compose images:\n%s", images)
	}

	c.mustCompose("pause")
	if status := c.inspect(".State.Status", "proj-db-1"); status != "paused" {
		t.Errorf("after compose pause proj-db-1 is %s", status)
	}
	c.mustCompose("unpause")
	if status := c.inspect(".State.Status", "proj-db-1"); status != "running" {
		t.Errorf("after compose unpause proj-db-1 is %s", status)
	}

	if out := c.mustCompose("rm", "-f"); strings.Contains(out, "proj-db-1") {
		t.Errorf("compose rm offered a running container: %s", out)
	}
	c.mustCompose("kill", "-s", "SIGKILL")
	c.eventually("SIGKILL ends httpd", func() (bool, string) {
		status := c.inspect(".State.Status", "proj-db-1")
		return status == "exited", status
	})
	_, _, err := c.compose("kill")
	if err != nil {
		t.Errorf("compose kill with nothing running: %v", err)
	}

	// rm asks first; no answer keeps the container.
	cmd := c.berth("compose", "rm")
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader("n\n")
	out, err := cmd.Output()
	if err != nil || string(out) != "Going to remove proj-db-1\nAre you sure? [yN] " {
		t.Errorf("compose rm answered n: %v, %q", err, out)
	}
	if status := c.inspect(".State.Status", "proj-db-1"); status != "exited" {
		t.Errorf("compose rm answered n left proj-db-1 %s", status)
	}
	cmd = c.berth("compose", "rm")
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader("y\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compose rm answered y: %v\n%s", err, out)
	}
	if out := c.must("ps", "-aq", "--filter", "name=proj-db-1"); strings.TrimSpace(out) != "" {
		t.Errorf("compose rm answered y left proj-db-1")
	}

	c.mustCompose("up", "-d", "db")
	c.mustCompose("rm", "-s", "-f")
	if out := c.must("ps", "-aq", "--filter", "label=com.docker.compose.project=proj"); strings.TrimSpace(out) != "" {
		t.Errorf("compose rm -s -f left %s", out)
	}
	if _, errOut, err := c.compose("rm", "-f"); err != nil || !strings.Contains(errOut, "No stopped containers") {
		t.Errorf("compose rm -f with nothing to remove: %v, %q", err, errOut)
	}
}

// TestComposeBuildPull builds a service's image with --build-arg and
// runs it; pull skips what it should not pull.
func TestComposeBuildPull(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("Dockerfile", "FROM busybox:latest\nARG GREETING=unset\nRUN echo $GREETING > /greeting\n")
	c.write("compose.yaml", `services:
  tool:
    build: .
  base:
    image: busybox:latest
    pull_policy: never
`)
	c.mustCompose("build", "--build-arg", "GREETING=built-with-arg")
	if out := c.mustCompose("run", "--rm", "-T", "tool", "cat", "/greeting"); out != "built-with-arg\n" {
		t.Errorf("the built image holds %q", out)
	}
	c.mustCompose("build", "--no-cache", "tool")
	if out := c.mustCompose("run", "--rm", "-T", "tool", "cat", "/greeting"); out != "unset\n" {
		t.Errorf("build --no-cache without the arg: image holds %q", out)
	}
	_, errOut, err := c.compose("pull")
	if err != nil || !strings.Contains(errOut, "Skipped - No image to be pulled") {
		t.Errorf("compose pull: %v\n%s", err, errOut)
	}
	if images := c.mustCompose("images"); strings.Count(images, "\n") != 1 || !strings.HasPrefix(images, "CONTAINER") {
		t.Errorf("compose images after run --rm:\n%s", images)
	}
}

// TestComposeRunWaitsForDependency runs a one-off command only once the
// one-shot it depends on completed successfully, on the volume they
// share.
func TestComposeRunWaitsForDependency(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  migrate:
    image: busybox:latest
    command: ["sh", "-c", "sleep 1 && echo migrated > /shared/state"]
    volumes: [data:/shared]
  app:
    image: busybox:latest
    depends_on:
      migrate: {condition: service_completed_successfully}
    volumes: [data:/shared]
volumes:
  data: {}
`)
	if out := c.mustCompose("run", "--rm", "-T", "app", "cat", "/shared/state"); out != "migrated\n" {
		t.Errorf("compose run after its dependency completed read %q", out)
	}
}

// TestComposeRunExecOnAnotherHost is run and exec through `berth -H`:
// the one-off container and the exec'd command run behind the API
// socket, with their exit codes.
func TestComposeRunExecOnAnotherHost(t *testing.T) {
	c := newComposeEnv(t, "")
	a := c.startService(t)
	c.write("compose.yaml", runProject)
	code := func(args ...string) (int, string) {
		t.Helper()
		cmd := c.berth(append([]string{"-H", a.host, "compose", "-p", "far"}, args...)...)
		cmd.Dir = c.dir
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatalf("berth -H compose %s: %v", strings.Join(args, " "), err)
		}
		return 0, string(out)
	}
	n, out := code("run", "--rm", "-T", "app", "sh", "-c", "until wget -q -O - http://db:8080/; do sleep 0.2; done; exit 5")
	if n != 5 || !strings.Contains(out, "db-up") {
		t.Fatalf("compose run through the API: exit %d, want 5:\n%s", n, out)
	}
	if n, out := code("exec", "-T", "db", "sh", "-c", "cat /www/index.html; exit 6"); n != 6 || !strings.Contains(out, "db-up") {
		t.Errorf("compose exec through the API: exit %d, want 6:\n%s", n, out)
	}
	c.eventually("the --rm container is removed", func() (bool, string) {
		left := c.oneoffs("far")
		return left == "", left
	})
	if n, out := code("down", "-t", "1"); n != 0 {
		t.Fatalf("compose down through the API: exit %d\n%s", n, out)
	}
	c.assertNothingLeft("far")
}

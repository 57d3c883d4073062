package main

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
)

// hostInventory is every container, network and volume berth has, one
// sorted listing: what a command that must touch nothing leaves equal.
func (c *composeEnv) hostInventory() string {
	c.t.Helper()
	return c.must("ps", "-a", "--format", "{{.Names}} {{.Status}}") +
		c.must("network", "ls", "--format", "{{.Name}}") +
		c.must("volume", "ls", "--format", "{{.Name}}")
}

// TestComposeBadFileTouchesNothing: a compose file that does not parse,
// does not validate, or asks for what berth refuses, makes `compose up`
// exit 15 with the file, the line and the key, before any container,
// network or volume is made; no file at all exits 14.
func TestComposeBadFileTouchesNothing(t *testing.T) {
	c := newComposeEnv(t, "")
	// Every file declares a volume and a network its service uses, so
	// that one made before the error is seen.
	const head = "services:\n  ok:\n    image: busybox:latest\n    command: [\"sleep\", \"60\"]\n    volumes: [data:/data]\n    networks: [back]\n  web:\n    image: busybox:latest\n"
	const tail = "volumes:\n  data: {}\nnetworks:\n  back: {}\n"
	cases := []struct {
		name, service string
		want          string // regexp of the message
	}{
		{"yaml syntax", "   command: x\n", `compose\.yaml:9: services\.web\.command: yaml: .*did not find expected key`},
		{"unknown key", "    commandd: x\n", `compose\.yaml:9: services\.web\.commandd: unknown key`},
		{"wrong type", "    read_only: sometimes\n", `compose\.yaml:9: services\.web\.read_only: .*invalid boolean`},
		{"bad port", "    ports: [\"80:http\"]\n", `compose\.yaml:9: services\.web\.ports: invalid containerPort: http`},
		{"missing variable", "    environment:\n      TAG: ${TAG:?TAG must be set}\n", `compose\.yaml:10: services\.web\.environment\.TAG: required variable TAG is missing a value: TAG must be set`},
		{"undefined volume", "    volumes: [\"cache:/cache\"]\n", `compose\.yaml:9: services\.web\.volumes: undefined volume "cache"`},
		{"dependency cycle", "    depends_on: [ok]\n", ``}, // ok depends on web: see below
		{"refused by berth", "    runtime: kata\n", `compose\.yaml:9: services\.web\.runtime: not supported by berth`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := head + tc.service + tail
			if tc.name == "dependency cycle" {
				file = strings.Replace(file, "    networks: [back]\n", "    networks: [back]\n    depends_on: [web]\n", 1)
				tc.want = `compose\.yaml:\d+: services\.(ok|web)\.depends_on: dependency cycle`
			}
			c.write("compose.yaml", file)
			before := c.hostInventory()
			code, out := c.composeCode("up", "-d")
			if code != 15 {
				t.Errorf("exit %d, want 15:\n%s", code, out)
			}
			if !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("output does not match %q:\n%s", tc.want, out)
			}
			if after := c.hostInventory(); after != before {
				t.Errorf("the host changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	t.Run("no file", func(t *testing.T) {
		code, out := c.composeCode("-f", "nothere.yaml", "up", "-d")
		if code != 14 || !strings.Contains(out, "nothere.yaml") {
			t.Errorf("exit %d, want 14 naming nothere.yaml:\n%s", code, out)
		}
	})
	c.write("compose.yaml", head+tail) // for the down at cleanup
}

// TestComposeUpFailureKeepsWhatStarted: an up that fails on a service
// (its command does not exist; a dependency it waits for exits 3 or
// turns unhealthy; its port is taken) exits 1 naming that service and
// why, and leaves what it had started running.
func TestComposeUpFailureKeepsWhatStarted(t *testing.T) {
	c := newComposeEnv(t, "")
	c.write("compose.yaml", `services:
  db:
    image: busybox:latest
    command: ["sleep", "300"]
  web:
    image: busybox:latest
    command: ["/no/such/command"]
    depends_on: [db]
`)
	code, out := c.composeCode("-p", "fail1", "up", "-d")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(out, `service "web"`) || !strings.Contains(out, "/no/such/command") {
		t.Errorf("the error does not name service web and its command:\n%s", out)
	}
	if got := c.must("inspect", "--format", "{{.State.Status}}", "fail1-db-1"); strings.TrimSpace(got) != "running" {
		t.Errorf("db after the failed up: %q, want running", got)
	}
	c.mustCompose("-p", "fail1", "down", "-t", "1")

	c.write("compose.yaml", `services:
  db:
    image: busybox:latest
    command: ["sleep", "300"]
  migrate:
    image: busybox:latest
    command: ["sh", "-c", "echo migration failed; exit 3"]
    depends_on: [db]
  web:
    image: busybox:latest
    command: ["sleep", "300"]
    depends_on:
      migrate:
        condition: service_completed_successfully
`)
	code, out = c.composeCode("-p", "fail2", "up", "-d")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(out, `service "migrate" didn't complete successfully: exit 3`) {
		t.Errorf("the error does not say migrate exited 3:\n%s", out)
	}
	if got := c.must("inspect", "--format", "{{.State.Status}}", "fail2-db-1"); strings.TrimSpace(got) != "running" {
		t.Errorf("db after the failed up: %q, want running", got)
	}
	if ps := c.must("ps", "-a", "--format", "{{.Names}}"); strings.Contains(ps, "fail2-web-1") {
		t.Errorf("web was created though migrate failed:\n%s", ps)
	}
	c.mustCompose("-p", "fail2", "down", "-t", "1")

	c.write("compose.yaml", `services:
  db:
    image: busybox:latest
    command: ["sleep", "300"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1
  web:
    image: busybox:latest
    command: ["sleep", "300"]
    depends_on:
      db:
        condition: service_healthy
`)
	code, out = c.composeCode("-p", "fail3", "up", "-d")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(out, "dependency failed to start: container fail3-db-1 is unhealthy") {
		t.Errorf("the error does not say db is unhealthy:\n%s", out)
	}
	if got := c.must("inspect", "--format", "{{.State.Status}}", "fail3-db-1"); strings.TrimSpace(got) != "running" {
		t.Errorf("db after the failed up: %q, want running", got)
	}
	c.mustCompose("-p", "fail3", "down", "-t", "1")

	// A port something else holds: web's start fails as docker's does.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	port := l.Addr().(*net.TCPAddr).Port
	c.write("compose.yaml", fmt.Sprintf(`services:
  db:
    image: busybox:latest
    command: ["sleep", "300"]
  web:
    image: busybox:latest
    command: ["sleep", "300"]
    depends_on: [db]
    ports: ["127.0.0.1:%d:80"]
`, port))
	code, out = c.composeCode("-p", "fail4", "up", "-d")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	if want := `service "web": start fail4-web-1`; !strings.Contains(out, want) || !strings.Contains(out, fmt.Sprintf("bind for 127.0.0.1:%d/tcp failed: port is already allocated", port)) {
		t.Errorf("the error does not say web's port is taken:\n%s", out)
	}
	if got := c.must("inspect", "--format", "{{.State.Status}}", "fail4-db-1"); strings.TrimSpace(got) != "running" {
		t.Errorf("db after the failed up: %q, want running", got)
	}
	c.mustCompose("-p", "fail4", "down", "-t", "1")
	for _, p := range []string{"fail1", "fail2", "fail3", "fail4"} {
		c.assertNothingLeft(p)
	}
}

package main

import (
	"strings"
	"testing"
)

// TestComposeOnAnotherHost runs `berth -H unix://… compose`: the project
// is made on the machine behind the API socket, through the same
// host.Host a remote TUI uses, and is the same project there.
func TestComposeOnAnotherHost(t *testing.T) {
	c := newComposeEnv(t, "")
	a := c.startService(t)
	c.write("compose.yaml", `services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo far web > /www/index.html && exec httpd -f -p 8080 -h /www"]
  probe:
    image: busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "until wget -q -O - http://web:8080/; do sleep 0.3; done"]
volumes:
  data: {}
`)
	remote := func(args ...string) string {
		t.Helper()
		return c.mustCompose(append([]string{"-p", "far"}, args...)...)
	}
	// -H goes before the command, as docker's.
	hostArgs := []string{"-H", a.host}
	c.mustHost(hostArgs, "up", "-d")
	c.eventually("probe reaches web on the far side", func() (bool, string) {
		out := c.must("logs", "far-probe-1")
		return strings.Contains(out, "far web"), out
	})
	if ps := remote("ps", "-a"); !strings.Contains(ps, "far-web-1") || !strings.Contains(ps, "far-probe-1") {
		t.Fatalf("the project made through the API is not the local project:\n%s", ps)
	}
	c.mustHost(hostArgs, "down", "-v", "-t", "1")
	c.assertNothingLeft("far")
}

// mustHost runs `berth HOSTARGS compose -p far ARGS` in the project
// directory.
func (c *composeEnv) mustHost(hostArgs []string, args ...string) string {
	c.t.Helper()
	cmd := c.berth(append(append(hostArgs, "compose", "-p", "far"), args...)...)
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("berth %s compose %s: %v\n%s", strings.Join(hostArgs, " "), strings.Join(args, " "), err, out)
	}
	return string(out)
}

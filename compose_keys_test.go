package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// freePort is a TCP port on 127.0.0.1 nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// sinkFacts is what the kitchen-sink container shows of itself, one
// NAME=VALUE a line, read by a shell inside it.
const sinkFacts = `
echo "id=$(id -u):$(id -g)"
echo "pwd=$(pwd)"
echo "nofile=$(ulimit -n):$(ulimit -Hn)"
echo "limits=$(grep 'open files' /proc/$(pidof httpd)/limits | tr -s ' ' | cut -d' ' -f4,5)"
echo "somaxconn=$(cat /proc/sys/net/core/somaxconn)"
echo "greeting=$GREETING"
echo "fromfile=$FROM_FILE"
echo "overridden=$OVERRIDDEN"
echo "secret=$(cat /run/secrets/cert)"
echo "cert=$(cat /etc/cert.pem)"
echo "app=$(cat /etc/app.conf)"
echo "site=$(cat /site/index.txt)"
if touch /rootfile 2>/dev/null; then echo rootwrite=yes; else echo rootwrite=no; fi
if touch /tmp/x 2>/dev/null; then echo tmpwrite=yes; else echo tmpwrite=no; fi
echo "rootmount=$(awk '$2 == "/" {print $4}' /proc/mounts | cut -d, -f1)"
echo "tmp=$(awk '$2 == "/tmp" {print $3}' /proc/mounts)"
echo "scratch=$(awk '$2 == "/scratch" {print $3}' /proc/mounts)"
echo "data=$(awk '$2 == "/data" {print $1 == "tmpfs" ? "tmpfs" : "mounted"}' /proc/mounts)"
echo "anon=$(awk '$2 == "/anon" {print "mounted"}' /proc/mounts)"
if [ -c /dev/mynull ]; then echo mynull=char; else echo mynull=missing; fi
echo "capbnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)"
echo "pid1=$(tr '\0' ' ' < /proc/1/cmdline)"
`

// TestComposeKeys: a kitchen-sink compose file (testdata/compose/keys)
// using every service key of point 2 that busybox can show, each
// checked inside the running container and by berth inspect.
func TestComposeKeys(t *testing.T) {
	c := newComposeEnv(t, "keys")
	port := freePort(t)
	c.write(".env", fmt.Sprintf("PORT=%d\nTOKEN=the token\n", port))
	c.mustCompose("up", "-d")

	out := c.must("exec", "keys-sink-1", "sh", "-c", sinkFacts)
	facts := map[string]string{}
	for line := range strings.Lines(out) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			facts[k] = v
		}
	}
	want := map[string]string{
		"id":         "1000:1000",        // user
		"pwd":        "/site",            // working_dir
		"nofile":     "1024:2048",        // ulimits
		"limits":     "1024 2048",        // ulimits, on the service's process
		"somaxconn":  "1000",             // sysctls
		"greeting":   "hello",            // environment, ${X:-default}
		"fromfile":   "from sink.env",    // env_file
		"overridden": "by environment",   // environment over env_file
		"secret":     "a certificate",    // secret from a file
		"cert":       "a certificate",    // secret with a target
		"app":        "app config",       // config from a file
		"site":       "site file",        // bind
		"rootwrite":  "no",               // read_only
		"tmpwrite":   "yes",              // tmpfs
		"rootmount":  "ro",               // read_only
		"tmp":        "tmpfs",            // tmpfs
		"scratch":    "tmpfs",            // volumes: type tmpfs
		"data":       "mounted",          // named volume
		"anon":       "mounted",          // anonymous volume
		"mynull":     "char",             // devices
		"capbnd":     "0000000000000400", // cap_drop ALL, cap_add NET_BIND_SERVICE
	}
	for k, v := range want {
		if facts[k] != v {
			t.Errorf("%s inside the container: %q, want %q", k, facts[k], v)
		}
	}
	// secrets and configs that are not files, on a service without
	// read_only.
	if got := c.must("exec", "keys-probe-1", "cat", "/run/secrets/token", "/inline"); got != "the tokeninline config" {
		t.Errorf("secret from the environment and inline config: %q", got)
	}
	// init: the container's first process is the init, httpd its child.
	if pid1 := facts["pid1"]; !strings.HasPrefix(pid1, "/sbin/docker-init -- sh -c") {
		t.Errorf("pid 1 with init: true is %q", pid1)
	}
	// deploy.resources.limits: in the container's cgroup, read on the
	// host.
	for _, l := range []struct{ controller, v1, v2, want string }{
		{"memory", "memory.limit_in_bytes", "memory.max", "67108864"},
		{"pids", "pids.max", "pids.max", "100"},
		{"cpu", "cpu.cfs_quota_us", "cpu.max", "50000"},
	} {
		if got := c.cgroupValue(t, "keys-sink-1", l.controller, l.v1, l.v2); !strings.HasPrefix(got, l.want) {
			t.Errorf("%s of keys-sink-1: %q, want %q", l.v2, got, l.want)
		}
	}
	if ps := c.must("exec", "keys-sink-1", "ps", "-o", "args"); !strings.Contains(ps, "httpd -f -p 8080") {
		t.Errorf("entrypoint and command: no httpd in\n%s", ps)
	}

	// ports: published on 127.0.0.1; networks: found by service name and
	// alias from another service on the same network (after the
	// healthcheck passed: probe waits for service_healthy).
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatalf("published port: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(body), "hello from sink") {
		t.Errorf("published port answered %q", body)
	}
	for _, name := range []string{"sink", "www"} {
		got := c.must("exec", "keys-probe-1", "wget", "-q", "-O", "-", "http://"+name+":8080/")
		if !strings.Contains(got, "hello from sink") {
			t.Errorf("probe reaching %s: %q", name, got)
		}
	}

	inspect := func(name, format string) string {
		return strings.TrimSpace(c.must("inspect", "--format", format, name))
	}
	checks := []struct{ name, format, want string }{
		{"keys-sink-1", "{{.State.Health.Status}}", "healthy"},
		{"keys-sink-1", "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "on-failure:2"},
		{"keys-sink-1", "{{.Config.StopSignal}} {{.Config.StopTimeout}}", "SIGUSR1 7"},
		{"keys-sink-1", `{{index .Config.Labels "com.example.role"}} {{index .Config.Labels "com.docker.compose.service"}}`, "sink sink"},
		{"keys-sink-1", "{{.HostConfig.Init}}", "true"},
		{"keys-sink-1", "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}}", "true [NET_BIND_SERVICE] [ALL]"},
		{"keys-sink-1", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}", "67108864 500000000 100"},
		{"keys-sink-1", `{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}`, "8080/tcp 9000/tcp"},
		{"keys-sink-1", `{{range $p, $b := .HostConfig.PortBindings}}{{$p}}={{(index $b 0).HostIP}}:{{(index $b 0).HostPort}}{{end}}`, fmt.Sprintf("8080/tcp=127.0.0.1:%d", port)},
		{"keys-sink-1", `{{range $n, $_ := .NetworkSettings.Networks}}{{$n}} {{end}}`, "keys_front"},
		{"keys-priv-1", "{{.HostConfig.Privileged}}", "true"},
	}
	for _, ck := range checks {
		if got := inspect(ck.name, ck.format); got != ck.want {
			t.Errorf("inspect %s %s: %q, want %q", ck.name, ck.format, got, ck.want)
		}
	}
	// privileged: every capability this host has in the bounding set of
	// the container's process, read on the host.
	if got, host := capBnd(t, inspect("keys-priv-1", "{{.State.Pid}}")), capBnd(t, "self"); got != host {
		t.Errorf("privileged container's CapBnd %s, the host's %s", got, host)
	}

	c.mustCompose("down", "-v", "-t", "1")
	c.assertNothingLeft("keys")
}

// capBnd is the bounding set of capabilities of process pid ("self"
// for this one).
func capBnd(t *testing.T, pid string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no CapBnd in /proc/%s/status", pid)
	return ""
}

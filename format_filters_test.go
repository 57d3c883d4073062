package main

import (
	"strings"
	"testing"

	"berth/api"
)

// TestFiltersAndTemplatesAsDocker runs docker's everyday ps filters,
// inspect templates, top options, version and info keys against real
// containers.
func TestFiltersAndTemplatesAsDocker(t *testing.T) {
	b := newBerthEnv(t)
	webID := strings.TrimSpace(b.must("run", "-d", "--pull", "never", "--name", "web", "--label", "tier=front", "busybox", "sh", "-c", "sleep 1000"))
	if out, code := b.exitOf("run", "--pull", "never", "--name", "job", "busybox", "sh", "-c", "exit 2"); code != 2 {
		t.Fatalf("run job: exit %d: %s", code, out)
	}
	b.must("create", "--pull", "never", "--name", "fresh", "busybox", "true")

	names := func(args ...string) string {
		t.Helper()
		out := b.must(append(append([]string{"ps"}, args...), "--format", "{{.Names}}")...)
		return strings.Join(strings.Fields(out), " ")
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "name=^/web$"}, "web"},
		{[]string{"-f", "name=^web$"}, "web"},
		{[]string{"-a", "-f", "name=^/job$"}, "job"},
		{[]string{"-a", "-f", "name=e"}, "fresh web"},
		{[]string{"-a", "-f", "id=" + webID[:12]}, "web"},
		{[]string{"-a", "-f", "exited=2"}, "job"},
		{[]string{"-f", "status=created"}, "fresh"},
		{[]string{"-a", "-f", "label=tier=front"}, "web"},
		{[]string{"-a", "-f", "label=tier=back"}, ""},
		{[]string{"-a", "-f", "ancestor=busybox"}, "fresh job web"},
		{[]string{"-a", "-f", "ancestor=busybox:latest", "-f", "status=exited"}, "job"},
		{[]string{"-a", "-f", "before=fresh", "-f", "since=web"}, "job"},
		{[]string{"-a", "-f", "health=none", "-f", "status=running"}, "web"},
		{[]string{"-a", "-f", "isolation=default", "-f", "is-task=false", "-f", "name=web"}, "web"},
	} {
		if got := names(tt.args...); got != tt.want {
			t.Errorf("ps %q = %q, want %q", tt.args, got, tt.want)
		}
	}
	b.wantFail(t, 1, "invalid filter 'foo'", "ps", "-f", "foo=bar")
	b.wantFail(t, 1, "invalid filter 'status=asleep'", "ps", "-f", "status=asleep")
	b.wantFail(t, 1, "invalid signal: BAD", "kill", "-s", "BAD", "web")
	if out := b.must("ps", "-f", "name=web", "--format", "{{.Command}}"); out != `"sh -c 'sleep 1000'"`+"\n" {
		t.Errorf("ps COMMAND = %q", out)
	}

	pid := strings.TrimSpace(b.must("inspect", "-f", `{{printf "%d" .State.Pid}}`, "web"))
	for _, tt := range []struct{ format, ref, want string }{
		{"{{if eq .State.ExitCode 2}}two{{end}}", "job", "two"},
		{"{{gt .State.Pid 0}}", "web", "true"},
		{`{{join .Config.Cmd " "}}`, "web", "sh -c sleep 1000"},
		{"{{.Id}}", "web", webID},
		{"{{.State.Running}} {{.State.Status}}", "web", "true running"},
		{"{{.NetworkSettings.IPAddress}}", "fresh", ""},
	} {
		if got := strings.TrimSuffix(b.must("inspect", "-f", tt.format, tt.ref), "\n"); got != tt.want {
			t.Errorf("inspect -f %s %s = %q, want %q", tt.format, tt.ref, got, tt.want)
		}
	}
	b.wantFail(t, 1, `map has no entry for key "Foo"`, "inspect", "-f", "{{.State.Foo}}", "web")

	if out := b.must("top", "web"); !strings.HasPrefix(out, "UID ") || !strings.Contains(out, " "+pid+" ") {
		t.Errorf("top web (PID %s):\n%s", pid, out)
	}
	if out := b.must("top", "web", "-o", "pid,comm"); !strings.Contains(out, "PID") || !strings.Contains(out, pid+" ") {
		t.Errorf("top web -o pid,comm (PID %s):\n%s", pid, out)
	}
	if out := b.must("top", "web", "aux"); !strings.HasPrefix(out, "USER ") || !strings.Contains(out, " "+pid+" ") {
		t.Errorf("top web aux (PID %s):\n%s", pid, out)
	}

	if out := b.must("info", "--format", "{{.OSType}} {{.DockerRootDir}} {{gt .NCPU 0}}"); out != "linux "+b.root()+" true\n" {
		t.Errorf("info = %q", out)
	}
	// berth's CLI names the API version of the docker CLI it stands in
	// for; the docker CLI prints the server's own (the newest it speaks).
	wantAPI := "1.41\n"
	if b.api != nil {
		wantAPI = api.MaxVersion + "\n"
	}
	if out := b.must("version", "--format", "{{.Server.APIVersion}}"); out != wantAPI {
		t.Errorf("version = %q, want %q", out, wantAPI)
	}
}

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"berth/api"
	"berth/host"
)

func TestHoistHostFlag(t *testing.T) {
	for _, tt := range []struct {
		in, want []string
	}{
		{[]string{"-H", "ssh://h", "ps"}, []string{"--host=ssh://h", "ps"}},
		{[]string{"-H=ssh://h", "ps", "-a"}, []string{"--host=ssh://h", "ps", "-a"}},
		{[]string{"-Hssh://h", "ps"}, []string{"--host=ssh://h", "ps"}},
		{[]string{"--root", "/r", "-H", "unix:///s", "ps"}, []string{"--root", "/r", "--host=unix:///s", "ps"}},
		// After the command, -H is the command's own (history's --human).
		{[]string{"history", "-H", "busybox"}, []string{"history", "-H", "busybox"}},
		{[]string{"--host", "ssh://h", "ps"}, []string{"--host", "ssh://h", "ps"}},
		{[]string{"-H", "x", "--", "-H"}, []string{"--host=x", "--", "-H"}},
	} {
		if got := hoistHostFlag(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("hoistHostFlag(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDockerEndpoint(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    hostContext
		wantErr string
	}{
		{"host=ssh://root@h:2222", hostContext{Host: "ssh://root@h:2222"}, ""},
		{"host=unix:///run/berth/api.sock", hostContext{Host: "unix:///run/berth/api.sock"}, ""},
		{"host=tcp://10.0.0.1:2376,ca=/c,cert=/e,key=/k", hostContext{Host: "tcp://10.0.0.1:2376", CA: "/c", Cert: "/e", Key: "/k"}, ""},
		{"", hostContext{}, "required"},
		{"host=tcp://10.0.0.1:2376", hostContext{}, "plain TCP"},
		{"host=ssh://h,ca=/c", hostContext{}, "for tcp://"},
		{"host=http://h", hostContext{}, "invalid host"},
		{"host=ssh://user:pw@h", hostContext{}, "invalid host"},
		{"skip-tls-verify=true", hostContext{}, "unknown key"},
		{"ssh://h", hostContext{}, "key=value"},
	} {
		got, err := parseDockerEndpoint(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseDockerEndpoint(%q) error = %v, want one saying %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseDockerEndpoint(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// contextSystem is a test system whose configuration directory is dir,
// with env over it, and whose dial records the endpoint it was asked for.
func contextSystem(dir string, env map[string]string, dialed *[]api.Endpoint) system {
	sys := testSystem(nil)
	sys.getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return env[k]
	}
	sys.geteuid = func() int { return 1000 } // a remote host needs no root here
	sys.dial = func(ep api.Endpoint) (host.Host, error) {
		*dialed = append(*dialed, ep)
		return nil, errors.New("dialed " + ep.Host)
	}
	return sys
}

func TestContextCommands(t *testing.T) {
	dir := t.TempDir()
	var dialed []api.Endpoint
	sys := contextSystem(dir, nil, &dialed)
	r := runCLI(t, sys, "context", "create", "web", "--docker", "host=ssh://root@web:2222", "--description", "the web box")
	if r.code != 0 || r.stdout != "web\n" {
		t.Fatalf("context create: %+v", r)
	}
	if r := runCLI(t, sys, "context", "create", "web", "--docker", "host=ssh://other"); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("context create of an existing name: %+v", r)
	}
	if r := runCLI(t, sys, "context", "create", "default", "--docker", "host=ssh://other"); r.code != 125 {
		t.Fatalf("context create default: %+v", r)
	}
	r = runCLI(t, sys, "context", "ls")
	want := "NAME        DESCRIPTION            DOCKER ENDPOINT\n" +
		"default *   this machine's berth   local\n" +
		"web         the web box            ssh://root@web:2222\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("context ls = %q, want %q (%s)", r.stdout, want, r.stderr)
	}
	if r := runCLI(t, sys, "context", "use", "nope"); r.code == 0 || !strings.Contains(r.stderr, `context "nope" does not exist`) {
		t.Fatalf("context use of a missing context: %+v", r)
	}
	if r := runCLI(t, sys, "context", "use", "web"); r.code != 0 {
		t.Fatalf("context use: %+v", r)
	}
	if r := runCLI(t, sys, "context", "ls", "--format", "{{.Name}}:{{.Current}}"); r.stdout != "default:false\nweb:true\n" {
		t.Fatalf("context ls --format after use = %q", r.stdout)
	}
	fi, err := os.Stat(filepath.Join(dir, "berth", "contexts.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("contexts.json: %v, %v; want mode 0600", fi, err)
	}

	// The current context is where commands go, without root.
	r = runCLI(t, sys, "ps")
	if len(dialed) != 1 || dialed[0].Host != "ssh://root@web:2222" || !strings.Contains(r.stderr, "dialed ssh://root@web:2222") {
		t.Fatalf("ps with context web dialed %v: %+v", dialed, r)
	}
	if r := runCLI(t, sys, "context", "inspect", "--format", "{{.Name}} {{.Endpoints.docker.Host}}"); r.stdout != "web ssh://root@web:2222\n" {
		t.Fatalf("context inspect = %+v", r)
	}
	if r := runCLI(t, sys, "context", "rm", "web"); r.code == 0 || !strings.Contains(r.stderr, "in use") {
		t.Fatalf("context rm of the current context: %+v", r)
	}
	if r := runCLI(t, sys, "context", "rm", "-f", "web"); r.code != 0 || r.stdout != "web\n" {
		t.Fatalf("context rm -f: %+v", r)
	}
	if r := runCLI(t, sys, "context", "show"); r.stdout != "default\n" {
		t.Fatalf("context show after rm = %+v", r)
	}
}

// -H > BERTH_HOST > --context > BERTH_CONTEXT > the current context >
// this machine, as docker.
func TestHostPrecedence(t *testing.T) {
	dir := t.TempDir()
	var dialed []api.Endpoint
	setup := contextSystem(dir, nil, &dialed)
	for _, c := range [][]string{
		{"context", "create", "aa", "--docker", "host=ssh://a"},
		{"context", "create", "bb", "--docker", "host=ssh://b"},
		{"context", "create", "cc", "--docker", "host=ssh://c"},
		{"context", "use", "aa"},
	} {
		if r := runCLI(t, setup, c...); r.code != 0 {
			t.Fatalf("%v: %+v", c, r)
		}
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"current context", nil, []string{"ps"}, "ssh://a"},
		{"BERTH_CONTEXT", map[string]string{"BERTH_CONTEXT": "bb"}, []string{"ps"}, "ssh://b"},
		{"--context", map[string]string{"BERTH_CONTEXT": "bb"}, []string{"--context", "cc", "ps"}, "ssh://c"},
		{"BERTH_HOST", map[string]string{"BERTH_CONTEXT": "bb", "BERTH_HOST": "ssh://env"}, []string{"--context", "cc", "ps"}, "ssh://env"},
		{"-H", map[string]string{"BERTH_HOST": "ssh://env"}, []string{"-H", "ssh://flag", "--context", "cc", "ps"}, "ssh://flag"},
		{"default context", map[string]string{"BERTH_CONTEXT": "default"}, []string{"ps"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dialed = nil
			sys := contextSystem(dir, tt.env, &dialed)
			r := runCLI(t, sys, tt.args...)
			if tt.want == "" {
				if len(dialed) != 0 || !strings.Contains(r.stderr, "root") {
					t.Fatalf("dialed %v, want this machine (which needs root here): %+v", dialed, r)
				}
				return
			}
			if len(dialed) != 1 || dialed[0].Host != tt.want {
				t.Fatalf("dialed %v, want %s: %+v", dialed, tt.want, r)
			}
		})
	}
}

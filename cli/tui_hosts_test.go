package cli

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"berth/api"
	"berth/config"
)

func TestChooseTUIHosts(t *testing.T) {
	stored := contextFile{Current: "prod", Contexts: map[string]hostContext{
		"prod":  {Host: "ssh://root@prod.example"},
		"build": {Host: "tcp://10.0.0.2:2376", CA: "/c/ca.pem", Cert: "/c/cert.pem", Key: "/c/key.pem"},
	}}
	none := contextFile{Contexts: map[string]hostContext{}}
	local := tuiHost{Name: "local"}
	prod := tuiHost{Name: "prod", Remote: &api.Endpoint{Host: "ssh://root@prod.example"}}
	build := tuiHost{Name: "build", Remote: &api.Endpoint{Host: "tcp://10.0.0.2:2376", TLS: api.TLSFiles{CA: "/c/ca.pem", Cert: "/c/cert.pem", Key: "/c/key.pem"}}}
	for _, tc := range []struct {
		name    string
		in      tuiHostsInput
		want    []tuiHost
		wantErr string
	}{
		{"root, no contexts: this machine", tuiHostsInput{contexts: none, root: true}, []tuiHost{local}, ""},
		{"root with contexts: this machine and every context, sorted (the current one too)",
			tuiHostsInput{contexts: stored, root: true}, []tuiHost{local, build, prod}, ""},
		{"not root: the contexts only", tuiHostsInput{contexts: stored}, []tuiHost{build, prod}, ""},
		{"not root, no contexts: refused", tuiHostsInput{contexts: none}, nil, errNeedsRoot.Error()},
		{"-H: that host alone", tuiHostsInput{host: "ssh://me@far:2222", hostSource: "-H", contexts: stored, root: true},
			[]tuiHost{{Name: "far:2222", Remote: &api.Endpoint{Host: "ssh://me@far:2222"}}}, ""},
		{"-H a socket: named by its path", tuiHostsInput{host: "unix:///run/other/api.sock", hostSource: "BERTH_HOST", contexts: none},
			[]tuiHost{{Name: "/run/other/api.sock", Remote: &api.Endpoint{Host: "unix:///run/other/api.sock"}}}, ""},
		{"-H tcp:// carries the TLS files", tuiHostsInput{host: "tcp://h:2376", hostSource: "-H", contexts: none, certPath: api.TLSFiles{CA: "a", Cert: "b", Key: "c"}},
			[]tuiHost{{Name: "h:2376", Remote: &api.Endpoint{Host: "tcp://h:2376", TLS: api.TLSFiles{CA: "a", Cert: "b", Key: "c"}}}}, ""},
		{"bad -H: refused", tuiHostsInput{host: "ftp://x", hostSource: "BERTH_HOST", contexts: none, root: true}, nil, "BERTH_HOST: "},
		{"--context: that context alone", tuiHostsInput{context: "build", contexts: stored, root: true}, []tuiHost{build}, ""},
		{"--context default: this machine alone", tuiHostsInput{context: "default", contexts: stored, root: true}, []tuiHost{local}, ""},
		{"--context default, not root: refused", tuiHostsInput{context: "default", contexts: stored}, nil, errNeedsRoot.Error()},
		{"--context unknown: refused", tuiHostsInput{context: "nosuch", contexts: stored, root: true}, nil, `context "nosuch" does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chooseTUIHosts(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("chooseTUIHosts = %v, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("chooseTUIHosts = %s, want %s", describeHosts(got), describeHosts(tc.want))
			}
		})
	}
}

func describeHosts(hosts []tuiHost) string {
	s := "["
	for _, h := range hosts {
		s += h.Name
		if h.Remote != nil {
			s += "=" + h.Remote.Host
		}
		s += " "
	}
	return s + "]"
}

// The flags, the environment and the context store reach the choice: a
// user who is not root still opens the program on their contexts.
func TestNoCommandOpensTheTUIOnTheUsersHosts(t *testing.T) {
	cfgHome := t.TempDir()
	if err := os.Mkdir(filepath.Join(cfgHome, "berth"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(cfgHome, "berth", "contexts.json"), `{"current":"b","contexts":{"a":{"host":"ssh://a"},"b":{"host":"ssh://b:2"}}}`)
	env := map[string]string{"XDG_CONFIG_HOME": cfgHome}
	sys := testSystem(nil)
	sys.isTerminal = func(any) bool { return true }
	sys.geteuid = func() int { return 1000 }
	var got []tuiHost
	sys.tui = func(ctx context.Context, c *config.Config, hosts []tuiHost) error { got = hosts; return nil }
	sys.getenv = func(k string) string { return env[k] }
	if r := runCLI(t, sys); r.code != 0 || describeHosts(got) != "[a=ssh://a b=ssh://b:2 ]" {
		t.Fatalf("berth as non-root with contexts: code %d err %q hosts %s", r.code, r.stderr, describeHosts(got))
	}
	got = nil
	env["BERTH_CONTEXT"] = "b"
	if r := runCLI(t, sys); r.code != 0 || describeHosts(got) != "[b=ssh://b:2 ]" {
		t.Fatalf("berth with BERTH_CONTEXT=b: code %d err %q hosts %s", r.code, r.stderr, describeHosts(got))
	}
	got = nil
	if r := runCLI(t, sys, "-H", "ssh://root@far:22"); r.code != 0 || describeHosts(got) != "[far:22=ssh://root@far:22 ]" {
		t.Fatalf("berth -H: code %d err %q hosts %s", r.code, r.stderr, describeHosts(got))
	}
	got = nil
	if r := runCLI(t, sys, "--context", "nosuch"); r.code != 125 || got != nil || !strings.Contains(r.stderr, `context "nosuch" does not exist`) {
		t.Fatalf("berth --context nosuch: code %d err %q hosts %s", r.code, r.stderr, describeHosts(got))
	}
}

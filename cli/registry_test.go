package cli

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"berth/config"
	"berth/images"
)

func TestPull(t *testing.T) {
	store := &fakeImages{imgs: imagesFixture()}
	sys := withImages(testSystem(&fakeEngine{}), store)
	cfgFile := t.TempDir() + "/config.json"
	writeTestFile(t, cfgFile, `{"registry-mirrors": ["http://127.0.0.1:5001"], "insecure-registries": ["registry.local:5000"], "max-concurrent-downloads": 2}`)
	var stdout, stderr strings.Builder
	code := run([]string{"--config", cfgFile, "--root", t.TempDir(), "pull", "alpine"}, newApp(strings.NewReader(""), &stdout, &stderr, sys))
	want := "Using default tag: latest\nlatest: Pulling from library/alpine\n" +
		"a3ed95caeb02: Pulling fs layer\na3ed95caeb02: Downloading\n0123456789ab: Already exists\na3ed95caeb02: Pull complete\n" +
		"Digest: sha256:" + strings.Repeat("9", 64) + "\nStatus: Downloaded newer image for alpine:latest\ndocker.io/library/alpine:latest\n"
	if code != 0 || stdout.String() != want {
		t.Errorf("pull: code %d err %q out\n%s\nwant\n%s", code, stderr.String(), stdout.String(), want)
	}
	o := store.pulls[0].Registry
	if strings.Join(o.Mirrors, ",") != "http://127.0.0.1:5001" || strings.Join(o.Insecure, ",") != "registry.local:5000" || o.MaxConcurrent != 2 || o.Credentials == nil {
		t.Errorf("registry options %+v", o)
	}

	r := runCLI(t, sys, "pull", "-q", "registry.local:5000/team/app:1")
	if r.code != 0 || r.stdout != "registry.local:5000/team/app:1\n" {
		t.Errorf("pull -q: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, sys, "pull", "busybox:latest")
	if !strings.HasPrefix(r.stdout, "latest: Pulling from library/busybox\n") || !strings.Contains(r.stdout, "Status: Downloaded newer image for busybox:latest\n") {
		t.Errorf("pull busybox:latest: %q", r.stdout)
	}
	if r := runCLI(t, sys, "pull", "nope"); r.code != 1 || !strings.Contains(r.stderr, "no such image") {
		t.Errorf("pull nope: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "pull", "BusyBox"); r.code != 1 || !strings.Contains(r.stderr, "invalid reference format") {
		t.Errorf("pull of a bad reference: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "pull", "--platform", "windows/amd64", "busybox"); r.code != 125 {
		t.Errorf("pull --platform windows: code %d", r.code)
	}
}

func TestSplitReference(t *testing.T) {
	for in, want := range map[string][2]string{
		"docker.io/library/busybox:latest":      {"library/busybox", "latest"},
		"registry.local:5000/team/app:1":        {"team/app", "1"},
		"docker.io/library/busybox@sha256:abcd": {"library/busybox", "sha256:abcd"},
	} {
		if p, tag := splitReference(in); p != want[0] || tag != want[1] {
			t.Errorf("splitReference(%q) = %q, %q; want %q", in, p, tag, want)
		}
	}
}

func TestPush(t *testing.T) {
	store := &fakeImages{imgs: imagesFixture()}
	sys := withImages(testSystem(&fakeEngine{}), store)
	r := runCLI(t, sys, "push", "registry.local:5000/team/app:1")
	want := "The push refers to repository [registry.local:5000/team/app]\napp:1: Pushing\napp:1: Pushed\n1: digest: sha256:" + strings.Repeat("8", 64) + "\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("push: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, sys, "push", "-q", "app:2", "registry.local:5000/app:2"); r.code != 0 || r.stdout != "registry.local:5000/app:2\n" {
		t.Errorf("push SOURCE DEST: code %d out %q", r.code, r.stdout)
	}
	if strings.Join(store.pushes, ";") != "registry.local:5000/team/app:1 ;app:2 registry.local:5000/app:2" {
		t.Errorf("pushes %q", store.pushes)
	}
	if r := runCLI(t, sys, "push", "a", "b", "c"); r.code != 125 {
		t.Errorf("push with 3 arguments: code %d", r.code)
	}
}

func TestLoginLogout(t *testing.T) {
	root := t.TempDir()
	cfgFile := t.TempDir() + "/config.json"
	writeTestFile(t, cfgFile, "{}")
	var logins []string
	sys := testSystem(&fakeEngine{})
	sys.login = func(ctx context.Context, registry, user, pass string, opts images.RegistryOptions) error {
		logins = append(logins, registry+" "+user+" "+pass)
		if pass == "wrong" {
			return images.ErrUnauthorized
		}
		return nil
	}
	sys.readPassword = func(io.Reader, io.Writer, string) (string, error) { return "typed", nil }
	cli := func(stdin string, args ...string) result {
		var stdout, stderr strings.Builder
		code := run(append([]string{"--config", cfgFile, "--root", root}, args...), newApp(strings.NewReader(stdin), &stdout, &stderr, sys))
		return result{stdout.String(), stderr.String(), code}
	}
	credsFile := (&config.Config{DataRoot: root}).CredentialsFile()
	creds := images.OpenCredentials(credsFile)

	if r := cli("s3cret\n", "login", "-u", "me", "--password-stdin", "https://registry.local:5000/v2/"); r.code != 0 || r.stdout != "Login Succeeded\n" {
		t.Fatalf("login --password-stdin: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if u, p, ok := creds.Get("registry.local:5000"); !ok || u != "me" || p != "s3cret" {
		t.Errorf("stored login %q %q %v", u, p, ok)
	}
	if fi, err := os.Stat(credsFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode: %v %v", fi, err)
	}
	if r := cli("", "login", "-u", "me", "-p", "pw"); r.code != 0 || !strings.Contains(r.stderr, "WARNING! Using --password via the CLI is insecure") {
		t.Errorf("login -p: code %d err %q", r.code, r.stderr)
	}
	if r := cli("", "login", "-u", "me", "-p", "wrong"); r.code != 1 || !strings.Contains(r.stderr, "unauthorized") {
		t.Errorf("bad login: code %d err %q", r.code, r.stderr)
	}
	if r := cli("", "login"); r.code != 1 || !strings.Contains(r.stderr, "non TTY device") {
		t.Errorf("interactive login without a terminal: code %d err %q", r.code, r.stderr)
	}
	sys.isTerminal = func(any) bool { return true }
	if r := cli("you\n", "login", "index.docker.io"); r.code != 0 || !strings.Contains(r.stdout, "Username: ") {
		t.Errorf("interactive login: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	sys.isTerminal = func(any) bool { return false }
	if strings.Join(logins, ";") != "registry.local:5000 me s3cret;docker.io me pw;docker.io me wrong;docker.io you typed" {
		t.Errorf("logins %q", logins)
	}
	if r := cli("", "login", "--password-stdin"); r.code != 125 {
		t.Errorf("--password-stdin without -u: code %d", r.code)
	}

	if r := cli("", "logout", "registry.local:5000"); r.code != 0 || r.stdout != "Removing login credentials for registry.local:5000\n" {
		t.Errorf("logout: code %d out %q", r.code, r.stdout)
	}
	if r := cli("", "logout", "registry.local:5000"); r.code != 0 || r.stdout != "Not logged in to registry.local:5000\n" {
		t.Errorf("second logout: code %d out %q", r.code, r.stdout)
	}
	if _, _, ok := creds.Get("registry.local:5000"); ok {
		t.Error("login kept after logout")
	}
}

func TestProgressPrinter(t *testing.T) {
	var sb strings.Builder
	p := newProgressPrinter(&sb, true)
	p.update(images.Progress{ID: "aaa", Action: "Pulling fs layer"})
	p.update(images.Progress{ID: "bbb", Action: "Pulling fs layer"})
	p.update(images.Progress{ID: "aaa", Action: "Downloading", Current: 500_000, Total: 2_000_000})
	p.update(images.Progress{ID: "aaa", Action: "Pull complete"})
	want := "aaa: Pulling fs layer\nbbb: Pulling fs layer\n" +
		"\033[2A\r\033[2Kaaa: Downloading [============>                                     ]    500kB/2MB\r\033[2B" +
		"\033[2A\r\033[2Kaaa: Pull complete\r\033[2B"
	if sb.String() != want {
		t.Errorf("terminal progress:\n%q\nwant\n%q", sb.String(), want)
	}
}

func TestBuild(t *testing.T) {
	store := &fakeImages{imgs: imagesFixture()}
	sys := withImages(testSystem(&fakeEngine{}), store)
	sys.lookupEnv = lookupIn(map[string]string{"FROM_ENV": "e"})
	dir := t.TempDir()
	r := runCLI(t, sys, "build", "-t", "app:1", "-t", "app:latest", "--build-arg", "V=1", "--build-arg", "FROM_ENV", "--build-arg", "UNSET",
		"--target", "final", "--no-cache", "--label", "team=core", "-f", dir+"/other.Dockerfile", dir)
	if r.code != 0 || r.stdout != "Step 1/1 : FROM busybox\nPulling busybox\nbusybox-layer: Pull complete\n" {
		t.Errorf("build: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	o := store.builds[0]
	if o.ContextDir != dir || o.Dockerfile != dir+"/other.Dockerfile" || strings.Join(o.Tags, ",") != "app:1,app:latest" || o.Target != "final" || !o.NoCache ||
		o.BuildArgs["V"] != "1" || o.BuildArgs["FROM_ENV"] != "e" || len(o.BuildArgs) != 2 || o.Labels["team"] != "core" {
		t.Errorf("build options %+v", o)
	}

	var stdout, stderr strings.Builder
	cfg := t.TempDir() + "/c.json"
	writeTestFile(t, cfg, "{}")
	code := run([]string{"--config", cfg, "build", "-q", "-t", "app:2", "-"}, newApp(strings.NewReader("FROM busybox\n"), &stdout, &stderr, sys))
	if code != 0 || stdout.String() != "sha256:"+strings.Repeat("b", 64)+"\n" || string(store.builds[1].DockerfileText) != "FROM busybox\n" || store.builds[1].ContextDir != "" {
		t.Errorf("build -q -: code %d out %q err %q opts %+v", code, stdout.String(), stderr.String(), store.builds[1])
	}
	for _, bad := range [][]string{
		{"build", "-t", "Bad:Tag", dir},
		{"build", "-f", "x", "-"},
		{"build", "--platform", "linux/s390x", dir},
		{"build", "--build-arg", "=1", dir},
		{"build", "-"},
	} {
		if r := runCLI(t, sys, bad...); r.code != 125 {
			t.Errorf("berth %s: code %d err %q", strings.Join(bad, " "), r.code, r.stderr)
		}
	}
}

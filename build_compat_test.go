package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// contextTar is a tar of files (name → content), as `tar -c .` makes.
func contextTar(t *testing.T, files map[string]string, compress bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w = &buf
	var zw *gzip.Writer
	tw := tar.NewWriter(w)
	if compress {
		zw = gzip.NewWriter(w)
		tw = tar.NewWriter(zw)
	}
	for name, content := range files {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(1700000000, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// buildWith runs berth build with stdin and returns stdout, stderr and
// the exit code.
func (b *berthEnv) buildWith(stdin []byte, args ...string) (string, string, int) {
	b.t.Helper()
	cmd := b.cmd(append([]string{"build"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), exitCodeOf(err)
}

// TestBuildContextFromStdin: `tar -c . | build -` is a context (plain or
// gzip, -f naming a Dockerfile inside it); `build - < Dockerfile` and
// `build -f - DIR` read only the Dockerfile from stdin.
func TestBuildContextFromStdin(t *testing.T) {
	b := newBerthEnv(t)
	files := map[string]string{
		"Dockerfile":     "FROM busybox\nCOPY hello /hello\nCMD [\"cat\", \"/hello\"]\n",
		"sub/Other.file": "FROM busybox\nCOPY hello /other\nCMD [\"cat\", \"/other\"]\n",
		"hello":          "hi from the tar\n",
	}
	for _, tc := range []struct {
		name     string
		compress bool
		args     []string
		run      []string
	}{
		{"plain tar", false, []string{"-t", "fromtar:1", "-"}, nil},
		{"gzip tar", true, []string{"-t", "fromtar:1", "-"}, nil},
		{"tar with -f inside it", false, []string{"-t", "fromtar:1", "-f", "sub/Other.file", "-"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := b.buildWith(contextTar(t, files, tc.compress), tc.args...)
			if code != 0 {
				t.Fatalf("build: exit %d\n%s%s", code, out, errOut)
			}
			if got := b.must("run", "--rm", "--pull", "never", "fromtar:1"); got != "hi from the tar\n" {
				t.Errorf("run: %q", got)
			}
		})
	}

	dockerfile := []byte("FROM busybox\nRUN echo piped > /piped\nCMD [\"cat\", \"/piped\"]\n")
	if out, errOut, code := b.buildWith(dockerfile, "-t", "piped:1", "-"); code != 0 {
		t.Fatalf("build - < Dockerfile: exit %d\n%s%s", code, out, errOut)
	}
	if got := b.must("run", "--rm", "--pull", "never", "piped:1"); got != "piped\n" {
		t.Errorf("run piped:1: %q", got)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data"), []byte("from the dir\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := b.buildWith([]byte("FROM busybox\nCOPY data /data\nCMD [\"cat\", \"/data\"]\n"), "-t", "dashf:1", "-f", "-", dir); code != 0 {
		t.Fatalf("build -f - DIR: exit %d\n%s%s", code, out, errOut)
	}
	if got := b.must("run", "--rm", "--pull", "never", "dashf:1"); got != "from the dir\n" {
		t.Errorf("run dashf:1: %q", got)
	}
	wantCode := 125
	if b.api != nil {
		wantCode = 1 // the docker CLI's own check, and its exit code
	}
	if _, errOut, code := b.buildWith(dockerfile, "-f", "-", "-"); code != wantCode || !strings.Contains(errOut, "can't use stdin for both") {
		t.Errorf("build -f - -: exit %d %s", code, errOut)
	}
}

// TestBuildContextTarSymlinkDockerfile: a Dockerfile in a context archive
// that is a symlink out of it is resolved inside the context, never on
// the host.
func TestBuildContextTarSymlinkDockerfile(t *testing.T) {
	b := newBerthEnv(t)
	secret := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(secret, []byte("FROM busybox\nLABEL leaked=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Typeflag: tar.TypeSymlink, Linkname: secret, Mode: 0o777}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := b.buildWith(buf.Bytes(), "-t", "leak:1", "-")
	if code == 0 {
		t.Fatalf("build of a context whose Dockerfile points at %s succeeded:\n%s", secret, out)
	}
	if !strings.Contains(errOut, "Dockerfile") {
		t.Errorf("error %q", errOut)
	}
}

// TestBuildUnknownInstruction: the whole Dockerfile is checked before the
// first step runs, as docker's builder does, and a failed build exits 1.
func TestBuildUnknownInstruction(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	df := "FROM busybox\nRUN touch /ran\nFOO bar\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := b.buildWith(nil, "-t", "typo:1", dir)
	if code != 1 || !strings.Contains(errOut, "dockerfile parse error line 3: unknown instruction: FOO") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "STEP") {
		t.Errorf("steps ran before the Dockerfile was refused:\n%s", out)
	}

	for _, tc := range []struct {
		name, df string
		code     int
	}{
		{"RUN exits 3", "FROM busybox\nRUN exit 3\n", 3},
		{"RUN command not found", "FROM busybox\nRUN [\"/nonexistent\"]\n", 1},
		{"missing base image", "FROM 127.0.0.1:1/nothere:1\n", 1},
	} {
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tc.df), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, errOut, code := b.buildWith(nil, dir); code != tc.code {
			t.Errorf("%s: exit %d, want docker build's %d\n%s%s", tc.name, code, tc.code, out, errOut)
		}
	}
	// -q shows the log of a failed build on stderr, as docker's.
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nRUN echo before-failing; exit 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := b.buildWith(nil, "-q", dir); code != 3 || out != "" || !strings.Contains(errOut, "before-failing") {
		t.Errorf("build -q of a failing RUN: exit %d stdout %q stderr %q", code, out, errOut)
	}
}

// TestBuildFlags: --iidfile, -q, --rm, --force-rm, --cache-from,
// --network none|host|default, and docker's default PATH in a built image
// whose base has none (busybox here is imported: no Env at all).
func TestBuildFlags(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	df := "FROM busybox\nRUN [ \"$(grep -c : /proc/net/dev)\" -eq 1 ] && echo isolated > /net || echo shared > /net\nCMD [\"cat\", \"/net\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	iid := filepath.Join(t.TempDir(), "iid")
	if err := os.WriteFile(iid, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := b.must("build", "-q", "--rm", "--force-rm", "--cache-from", "busybox", "--network", "none", "--iidfile", iid, "-t", "flags:1", dir)
	id := strings.TrimSpace(b.must("image", "inspect", "-f", "{{.Id}}", "flags:1"))
	if out != id+"\n" {
		t.Errorf("build -q printed %q, want only %s", out, id)
	}
	wantIID := id
	if b.api != nil {
		wantIID += "\n" // the docker 20.10 CLI's -q writes the ID as it printed it
	}
	if data, err := os.ReadFile(iid); err != nil || string(data) != wantIID {
		t.Errorf("--iidfile: %q %v, want %s without a newline", data, err, id)
	}
	if got := b.must("run", "--rm", "--pull", "never", "flags:1"); got != "isolated\n" {
		t.Errorf("RUN with --network none saw %q", got)
	}
	b.must("build", "-q", "--no-cache", "--network", "host", "-t", "host:1", dir)
	b.must("build", "-q", "--no-cache", "-t", "default:1", dir)
	if got := b.must("run", "--rm", "--pull", "never", "default:1"); got != "shared\n" {
		t.Errorf("RUN with the default network saw %q, want the host's", got)
	}
	refusal := "network bridge"
	if b.api != nil {
		refusal = `networkmode "bridge"` // the API names its parameter
	}
	if _, errOut, code := b.buildWith(nil, "--network", "bridge", dir); code == 0 || !strings.Contains(errOut, refusal) {
		t.Errorf("--network bridge: exit %d %s", code, errOut)
	}

	const path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if env := b.must("image", "inspect", "-f", "{{json .Config.Env}}", "flags:1"); env != `["`+path+`"]`+"\n" {
		t.Errorf("built image Env %s, want docker's default PATH", env)
	}
	if env := b.must("run", "--rm", "--pull", "never", "busybox", "env"); !strings.Contains(env, path+"\n") {
		t.Errorf("run of an image without PATH: env\n%s", env)
	}
}

// TestBuildPullFlag: --pull pulls a base image even when it is stored (a
// local-registry name, so nothing leaves the host: 127.0.0.1:1 refuses).
func TestBuildPullFlag(t *testing.T) {
	b := newBerthEnv(t)
	b.must("tag", "busybox", "127.0.0.1:1/base:1")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM 127.0.0.1:1/base:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", dir)
	if out, errOut, code := b.buildWith(nil, "--pull", dir); code != 1 || !strings.Contains(out+errOut, "127.0.0.1:1") {
		t.Errorf("build --pull of a stored base from a registry that refuses: exit %d\n%s%s", code, out, errOut)
	}
}

// TestRmiParentImage: an image a build started from cannot be deleted by
// ID while its child exists, not even with -f; by its tag only the tag
// goes, as docker's.
func TestRmiParentImage(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nRUN echo child > /child\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", "-t", "child:1", dir)
	parent := strings.TrimSpace(b.must("image", "inspect", "-f", "{{.Id}}", "busybox"))
	short := strings.TrimPrefix(parent, "sha256:")[:12]
	for _, args := range [][]string{{"rmi", parent}, {"rmi", "-f", short}} {
		out, err := b.cmd(args...).CombinedOutput()
		want := "conflict: unable to delete " + short + " (cannot be forced) - image has dependent child images"
		if exitCodeOf(err) != 1 || !strings.Contains(string(out), want) {
			t.Errorf("berth %s: %v %s, want exit 1 and %q", strings.Join(args, " "), err, out, want)
		}
	}
	if out := b.must("rmi", "busybox"); out != "Untagged: busybox:latest\n" {
		t.Errorf("rmi busybox: %q, want only the untag", out)
	}
	b.must("image", "inspect", parent)
	if got := b.must("image", "inspect", "-f", "{{.Parent}}", "child:1"); got != parent+"\n" {
		t.Errorf("child's Parent %q, want %s", got, parent)
	}
	// An untagged parent is an intermediate image: hidden without -a, not
	// dangling, kept by prune.
	if got := b.must("images", "-q"); strings.Contains(got, short) {
		t.Errorf("images lists the untagged parent %s:\n%s", short, got)
	}
	if got := b.must("images", "-a", "-q"); !strings.Contains(got, short) {
		t.Errorf("images -a hides the untagged parent %s:\n%s", short, got)
	}
	for _, args := range [][]string{{"images", "-q", "-f", "dangling=true"}, {"images", "-a", "-q", "-f", "dangling=true"}} {
		if got := b.must(args...); strings.Contains(got, short) {
			t.Errorf("berth %s lists the untagged parent %s:\n%s", strings.Join(args, " "), short, got)
		}
	}
	b.must("image", "prune", "-f")
	b.must("image", "inspect", parent)
	if got := b.must("run", "--rm", "--pull", "never", "child:1", "cat", "/child"); got != "child\n" {
		t.Errorf("child after its parent's untag: %q", got)
	}
	b.must("rmi", "child:1")
	if out := b.must("rmi", parent); !strings.Contains(out, "Deleted: "+parent) {
		t.Errorf("rmi of the parent once its child is gone: %q", out)
	}
}

// TestSystemDfBuildCache: system df has docker's "Build Cache" row (and
// in --format json and -v) counting berth's cached build steps.
func TestSystemDfBuildCache(t *testing.T) {
	b := newBerthEnv(t)
	rowOf := func() map[string]string {
		for _, line := range strings.Split(strings.TrimSpace(b.must("system", "df", "--format", "{{json .}}")), "\n") {
			var row map[string]string
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("system df line %q: %v", line, err)
			}
			if row["Type"] == "Build Cache" {
				return row
			}
		}
		t.Fatal("system df has no Build Cache row")
		return nil
	}
	if row := rowOf(); row["TotalCount"] != "0" || row["Size"] != "0B" {
		t.Errorf("empty cache: %v", row)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nRUN head -c 100000 /dev/zero > /big\nENV X=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", dir)
	// One entry: the RUN step's layer (ENV changes only the config).
	// The docker CLI leaves a record an image shares out of the size,
	// as dockerd's records of it are shared.
	wantSize := "100kB"
	if b.api != nil {
		wantSize = "0B"
	}
	if row := rowOf(); row["TotalCount"] != "1" || row["Active"] != "0" || row["Size"] != wantSize || row["Reclaimable"] != "0B" {
		t.Errorf("after a build with one RUN step, whose layer the image uses: %v", row)
	}
	verbose := b.must("system", "df", "-v")
	if !strings.Contains(verbose, "\nBuild cache usage: ") || !strings.Contains(verbose, "CACHE ID ") || !strings.Contains(verbose, " CACHE TYPE ") || strings.Count(verbose, " regular ") != 1 {
		t.Errorf("system df -v:\n%s", verbose)
	}
	b.must("system", "prune", "-f")
	if row := rowOf(); row["TotalCount"] != "0" {
		t.Errorf("after system prune: %v", row)
	}
}

package main

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"berth/internal/testenv"
)

// imageDocker runs Debian's docker CLI against the service and returns
// its output and exit code, for the commands that are meant to fail.
func (a *apiEnv) imageDocker(args ...string) (stdout, stderr string, code int) {
	a.t.Helper()
	cmd := a.docker(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		a.t.Fatalf("docker %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// writeFiles makes a directory of files (name → content).
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestAPIImagesListInspectTag: docker images (its flags and the SIZE
// column docker 20.10 reads from VirtualSize), image inspect, history, tag
// and rmi, through berth's API.
func TestAPIImagesListInspectTag(t *testing.T) {
	a := newAPIEnv(t)
	id := strings.TrimPrefix(strings.TrimSpace(a.must("image", "inspect", "--format", "{{.ID}}", "busybox")), "sha256:")

	out := a.dockerMust("images")
	if !strings.Contains(out, "busybox") || !strings.Contains(out, "latest") || !strings.Contains(out, id[:12]) {
		t.Errorf("docker images:\n%s", out)
	}
	if strings.Contains(out, " 0B") {
		t.Errorf("docker images shows a size of 0B (VirtualSize missing for API 1.41):\n%s", out)
	}
	if got := a.dockerMust("images", "-q"); got != id[:12]+"\n" {
		t.Errorf("docker images -q = %q, want %q", got, id[:12])
	}
	if got := a.dockerMust("images", "-a", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"); got != "busybox:latest "+id[:12]+"\n" {
		t.Errorf("docker images -a --format = %q", got)
	}
	if got := a.dockerMust("images", "--digests", "--format", "{{.Repository}} {{.Digest}}"); got != "busybox <none>\n" {
		t.Errorf("docker images --digests = %q (an imported image has no digest)", got)
	}
	if got := a.dockerMust("image", "inspect", "--format", "{{.Id}} {{.Os}} {{index .RepoTags 0}}", "busybox"); got != "sha256:"+id+" linux busybox:latest\n" {
		t.Errorf("docker image inspect = %q", got)
	}
	if _, stderr, code := a.imageDocker("image", "inspect", "nosuch:image"); code == 0 || !strings.Contains(stderr, "No such image: nosuch:image") {
		t.Errorf("inspect of a missing image: exit %d, %q", code, stderr)
	}
	if out := a.dockerMust("history", "busybox"); !strings.Contains(out, id[:12]) || !strings.Contains(out, "CREATED BY") {
		t.Errorf("docker history:\n%s", out)
	}

	a.dockerMust("tag", "busybox", "127.0.0.1:5999/team/bb:v1")
	if got := a.dockerMust("image", "inspect", "--format", "{{.Id}}", "127.0.0.1:5999/team/bb:v1"); got != "sha256:"+id+"\n" {
		t.Errorf("inspect of a tag with slashes = %q", got)
	}
	if got := a.dockerMust("images", "--format", "{{.Repository}}:{{.Tag}}", "127.0.0.1:5999/team/*"); got != "127.0.0.1:5999/team/bb:v1\n" {
		t.Errorf("docker images REPOSITORY filter = %q", got)
	}
	if out := a.dockerMust("rmi", "127.0.0.1:5999/team/bb:v1"); !strings.Contains(out, "Untagged: 127.0.0.1:5999/team/bb:v1") {
		t.Errorf("docker rmi:\n%s", out)
	}
	if _, stderr, code := a.imageDocker("rmi", "nosuch"); code == 0 || !strings.Contains(stderr, "nosuch") {
		t.Errorf("rmi of a missing image: exit %d, %q", code, stderr)
	}
	a.must("create", "--name", "user", "busybox", "true")
	if _, stderr, code := a.imageDocker("rmi", "busybox"); code == 0 || !strings.Contains(stderr, "Error response from daemon") {
		t.Errorf("rmi of an image a container uses: exit %d, %q", code, stderr)
	}
}

// TestAPIImagesBuild: docker build through the API with a context that
// COPY reads, tags, build args and labels; a failing RUN gives its exit
// code and docker's message; an untagged build is dangling and image prune
// removes it.
func TestAPIImagesBuild(t *testing.T) {
	a := newAPIEnv(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile":    "FROM busybox\nARG GREETING=none\nRUN echo $GREETING > /greeting\nCOPY data/file.txt /file.txt\nCMD [\"cat\", \"/file.txt\"]\n",
		"data/file.txt": "from the context\n",
	})
	out := a.dockerMust("build", "-t", "built:1", "-t", "built:2", "--build-arg", "GREETING=hello", "--label", "team=a", dir)
	if !strings.Contains(out, "Successfully built") {
		t.Errorf("docker build output:\n%s", out)
	}
	if got := a.must("run", "--rm", "built:2", "cat", "/greeting", "/file.txt"); got != "hello\nfrom the context\n" {
		t.Errorf("built image's files = %q", got)
	}
	if got := a.dockerMust("image", "inspect", "--format", "{{.Config.Labels.team}} {{index .Config.Cmd 0}}", "built:1"); got != "a cat\n" {
		t.Errorf("built image's config = %q", got)
	}
	id := strings.TrimSpace(a.dockerMust("build", "-q", "-t", "built:1", dir))
	if want := strings.TrimSpace(a.dockerMust("image", "inspect", "--format", "{{.Id}}", "built:1")); id != want {
		t.Errorf("docker build -q = %q, want %q", id, want)
	}

	elsewhere := writeFiles(t, map[string]string{"Other.dockerfile": "FROM busybox\nCOPY data/file.txt /elsewhere.txt\n"})
	a.dockerMust("build", "-f", filepath.Join(elsewhere, "Other.dockerfile"), "-t", "built:elsewhere", dir)
	if got := a.must("run", "--rm", "built:elsewhere", "cat", "/elsewhere.txt"); got != "from the context\n" {
		t.Errorf("build with a Dockerfile outside the context: %q", got)
	}

	bad := writeFiles(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo about to fail; exit 3\n"})
	stdout, stderr, code := a.imageDocker("build", bad)
	if code != 3 || !strings.Contains(stderr+stdout, "returned a non-zero code: 3") || !strings.Contains(stdout, "about to fail") {
		t.Errorf("failing RUN: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	missing := writeFiles(t, map[string]string{"Dockerfile": "FROM busybox\nCOPY nothere /x\n"})
	if _, _, code := a.imageDocker("build", missing); code == 0 {
		t.Errorf("COPY of a file not in the context succeeded")
	}

	dangling := writeFiles(t, map[string]string{"Dockerfile": "FROM busybox\nLABEL dangling=yes\n"})
	a.dockerMust("build", dangling)
	if got := a.dockerMust("images", "-q", "--filter", "dangling=true"); strings.TrimSpace(got) == "" {
		t.Fatalf("no dangling image after an untagged build")
	}
	if out := a.dockerMust("image", "prune", "-f"); !strings.Contains(out, "Deleted") {
		t.Errorf("docker image prune:\n%s", out)
	}
	if got := a.dockerMust("images", "-q", "--filter", "dangling=true"); strings.TrimSpace(got) != "" {
		t.Errorf("dangling images after prune: %q", got)
	}
	if out := a.dockerMust("builder", "prune", "-f"); !strings.Contains(out, "Total") {
		t.Errorf("docker builder prune:\n%s", out)
	}
}

// TestAPIImagesSaveLoad: docker save through the API, then load of the
// archive after the image is gone.
func TestAPIImagesSaveLoad(t *testing.T) {
	a := newAPIEnv(t)
	a.dockerMust("tag", "busybox", "saved:1")
	archive := filepath.Join(t.TempDir(), "saved.tar")
	a.dockerMust("save", "-o", archive, "saved:1")
	if fi, err := os.Stat(archive); err != nil || fi.Size() == 0 {
		t.Fatalf("docker save wrote no archive: %v", err)
	}
	a.dockerMust("rmi", "saved:1")
	if out := a.dockerMust("load", "-i", archive); !strings.Contains(out, "Loaded image: saved:1") {
		t.Errorf("docker load:\n%s", out)
	}
	if got := a.dockerMust("images", "--format", "{{.Repository}}:{{.Tag}}", "saved"); got != "saved:1\n" {
		t.Errorf("images after load = %q", got)
	}
	if _, stderr, code := a.imageDocker("save", "-o", filepath.Join(t.TempDir(), "x.tar"), "nosuch"); code == 0 || !strings.Contains(stderr, "No such image") {
		t.Errorf("save of a missing image: exit %d, %q", code, stderr)
	}
}

// TestAPIImagesPushPull: docker push and pull through the API against a
// registry on 127.0.0.1, with the progress stream the CLI prints.
func TestAPIImagesPushPull(t *testing.T) {
	addr := testenv.DistributionRegistry(t)
	a := newAPIEnv(t)
	ref := addr + "/team/bb:1"
	a.dockerMust("tag", "busybox", ref)
	out := a.dockerMust("push", ref)
	if !strings.Contains(out, "The push refers to repository ["+addr+"/team/bb]") || !strings.Contains(out, "1: digest: sha256:") {
		t.Errorf("docker push:\n%s", out)
	}
	a.dockerMust("rmi", ref)
	out = a.dockerMust("pull", ref)
	if !strings.Contains(out, "Pulling from team/bb") || !strings.Contains(out, "Status: Downloaded newer image for "+ref) {
		t.Errorf("docker pull:\n%s", out)
	}
	if out := a.dockerMust("pull", ref); !strings.Contains(out, "Image is up to date") {
		t.Errorf("second docker pull:\n%s", out)
	}
	if got := a.dockerMust("images", "--digests", "--format", "{{.Digest}}", addr+"/team/bb"); !strings.HasPrefix(got, "sha256:") {
		t.Errorf("pulled image's digest = %q", got)
	}
	if _, stderr, code := a.imageDocker("pull", addr+"/team/nosuch:1"); code == 0 || !strings.Contains(stderr, "manifest unknown") {
		t.Errorf("pull of a missing image: exit %d, %q", code, stderr)
	}
	resp, err := a.HTTPClient().Post("http://berth/v1.41/images/create?fromImage="+addr+"/team/bb&tag=nosuch", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("pull of a tag the registry does not have: status %d, want 404", resp.StatusCode)
	}
}

// TestAPIImagesDockerPy: docker-py's images.list, images.build from a
// path and from a Dockerfile file object, its error on a failed build,
// save and load, prune, and ImageNotFound.
func TestAPIImagesDockerPy(t *testing.T) {
	py := testenv.DebianPython(t)
	a := newAPIEnv(t)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM busybox\nCOPY file.txt /file.txt\n",
		"file.txt":   "py\n",
	})
	script := `
import io, sys, docker
c = docker.from_env(version="1.41")
tags = sorted(t for i in c.images.list() for t in i.tags)
print("list", tags)
img, logs = c.images.build(path=sys.argv[1], tag="pybuilt:1")
print("path", img.tags, img.id.startswith("sha256:"))
img, logs = c.images.build(fileobj=io.BytesIO(b"FROM busybox\nLABEL via=fileobj\n"), tag="pybuilt:2")
print("fileobj", img.labels.get("via"))
try:
    c.images.build(fileobj=io.BytesIO(b"FROM busybox\nRUN exit 4\n"))
except docker.errors.BuildError as e:
    print("error", "non-zero code: 4" in str(e))
print("get", c.images.get("pybuilt:1").tags)
data = b"".join(c.images.get("pybuilt:2").save(named=True))
c.images.remove("pybuilt:2")
print("load", [i.tags for i in c.images.load(data)])
print("prune", c.images.prune(filters={"dangling": True})["ImagesDeleted"] is not None)
try:
    c.images.get("nosuch:1")
except docker.errors.ImageNotFound:
    print("not found")
`
	cmd := exec.Command(py, "-c", script, dir)
	cmd.Env = a.clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker-py: %v\n%s", err, out)
	}
	want := "list ['busybox:latest']\npath ['pybuilt:1'] True\nfileobj fileobj\nerror True\nget ['pybuilt:1']\n" +
		"load [['pybuilt:2']]\nprune True\nnot found\n"
	if string(out) != want {
		t.Errorf("docker-py:\n%s\nwant:\n%s", out, want)
	}
}

// TestAPIImagesBuildHostileContext: a context tar whose entries climb out
// with "..", or write through a symlink to /, leaves nothing outside the
// directory the store unpacks it in.
func TestAPIImagesBuildHostileContext(t *testing.T) {
	a := newAPIEnv(t)
	outside := filepath.Join(t.TempDir(), "escaped")
	for name, entries := range map[string][]tarEntry{
		"dotdot": {
			{name: "Dockerfile", body: "FROM busybox\n"},
			{name: strings.Repeat("../", 20) + strings.TrimPrefix(outside, "/"), body: "x"},
		},
		"symlink": {
			{name: "Dockerfile", body: "FROM busybox\n"},
			{name: "root", link: "/"},
			{name: "root/" + strings.TrimPrefix(outside, "/"), body: "x"},
		},
		"dockerfile-symlink": {
			{name: "Dockerfile", link: outside},
		},
	} {
		resp, err := a.HTTPClient().Post("http://berth/v1.41/build?t=hostile:"+name, "application/x-tar", bytes.NewReader(makeTar(t, entries)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if _, err := os.Lstat(outside); err == nil {
			t.Fatalf("%s: the context wrote %s outside its directory (status %d: %s)", name, outside, resp.StatusCode, body)
		}
		if name == "dockerfile-symlink" && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a Dockerfile that links outside the context: status %d: %s", resp.StatusCode, body)
		}
	}
}

type tarEntry struct{ name, body, link string }

func makeTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if e.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAPIImagesStatus: the status codes and messages of bad image
// requests, as dockerd answers them.
func TestAPIImagesStatus(t *testing.T) {
	a := newAPIEnv(t)
	client := a.HTTPClient()
	for _, tc := range []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/v1.41/images/nosuch/json", 404, "No such image: nosuch"},
		{"GET", "/v1.41/images/nosuch/history", 404, "No such image: nosuch"},
		{"GET", "/v1.41/images/busybox/nosuch", 404, "page not found"},
		{"GET", `/v1.41/images/json?filters={"nosuch":{"x":true}}`, 400, "invalid filter"},
		{"GET", `/v1.41/images/json?filters={"dangling":{"maybe":true}}`, 400, "dangling"},
		{"GET", "/v1.41/images/json?filters=notjson", 400, "invalid filters"},
		{"POST", "/v1.41/images/busybox/tag?repo=UPPER", 400, "invalid reference format"},
		{"POST", "/v1.41/images/nosuch/tag?repo=x", 404, "No such image: nosuch"},
		{"DELETE", "/v1.41/images/nosuch", 404, "No such image: nosuch"},
		{"POST", "/v1.41/images/create", 400, "fromImage"},
		{"POST", "/v1.41/images/create?fromImage=busybox&tag=latest&platform=linux/s390x", 400, "platform"},
		{"POST", "/v1.41/images/create?fromSrc=http://example.com/x.tar", 400, "fromSrc"},
		{"POST", "/v1.41/images/nosuch/push?tag=1", 404, "No such image: nosuch:1"},
		{"GET", "/v1.41/images/get", 400, "names"},
		{"GET", "/v1.41/images/get?names=busybox&names=nosuch", 404, "No such image: nosuch"},
		{"POST", "/v1.41/build", 400, "empty"},
		{"POST", "/v1.41/build?version=2", 400, "BuildKit"},
		{"POST", "/v1.41/build?networkmode=bridge", 400, "networkmode"},
		{"POST", "/v1.41/build?remote=https://example.com/x.git", 400, "remote"},
		{"POST", "/v1.41/build?t=UPPER", 400, "UPPER"},
		{"POST", "/v1.41/images/prune?filters={\"until\":{\"soon\":true}}", 400, "until"},
	} {
		req, err := http.NewRequest(tc.method, "http://berth"+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		var body struct{ Message string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || err != nil || !strings.Contains(body.Message, tc.message) {
			t.Errorf("%s %s: %d %q (%v), want %d and %q", tc.method, tc.path, resp.StatusCode, body.Message, err, tc.status, tc.message)
		}
	}
}

// TestAPIImagesRegistryLogin: push and pull through a registry that wants
// a login carry the docker CLI's own (its config's auths, sent as
// X-Registry-Auth); without one the registry's refusal reaches the client.
func TestAPIImagesRegistryLogin(t *testing.T) {
	upstream := testenv.DistributionRegistry(t)
	target, err := url.Parse("http://" + upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	guard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "builder" || pass != "s3cret:x" {
			w.Header().Set("WWW-Authenticate", `Basic realm="berth-test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(guard.Close)
	addr := strings.TrimPrefix(guard.URL, "http://")

	a := newAPIEnv(t)
	ref := addr + "/private/bb:1"
	a.dockerMust("tag", "busybox", ref)
	if _, stderr, code := a.imageDocker("push", ref); code == 0 || !strings.Contains(strings.ToLower(stderr), "unauthorized") {
		t.Errorf("push without a login: exit %d, %q", code, stderr)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("builder:s3cret:x"))
	if err := os.WriteFile(filepath.Join(a.config, "config.json"), []byte(`{"auths":{"`+addr+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := a.dockerMust("push", ref); !strings.Contains(out, "1: digest: sha256:") {
		t.Errorf("push with the CLI's login:\n%s", out)
	}
	a.dockerMust("rmi", ref)
	if out := a.dockerMust("pull", ref); !strings.Contains(out, "Downloaded newer image") {
		t.Errorf("pull with the CLI's login:\n%s", out)
	}
}

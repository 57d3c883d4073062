package testenv

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// CritestUpstreams are the registries whose names critest (cri-tools
// v1.37.0) pulls: its own test images on gcr.io, Kubernetes' e2e test
// images and pause on registry.k8s.io, pause again on k8s.gcr.io.
var CritestUpstreams = []string{"gcr.io", "registry.k8s.io", "k8s.gcr.io"}

// CRIRegistry is an in-memory registry (go-containerregistry's) holding
// the images critest pulls, built offline from busybox, that is also an
// HTTP proxy: a runtime whose HTTP_PROXY names it asks it for
// http://gcr.io/v2/… and gets the image stored under the same path, so
// the images keep their upstream names and no name reaches the
// internet. CONNECT (HTTPS through the proxy) is refused: the upstreams
// are insecure registries to the runtime, which then falls back to HTTP.
type CRIRegistry struct {
	reg http.Handler
	// Push is the registry's address on this host's 127.0.0.1, where
	// the test pushes.
	Push string

	mu    sync.Mutex
	asked map[string]bool // hosts asked for through the proxy
}

// NewCRIRegistry starts the registry on this host's 127.0.0.1 and pushes
// critest's images into it; Serve answers on more listeners (one in a
// network namespace, say). It stops when the test ends.
func NewCRIRegistry(t testing.TB) *CRIRegistry {
	t.Helper()
	r := &CRIRegistry{reg: registry.New(registry.Logger(log.New(io.Discard, "", 0))), asked: map[string]bool{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	r.Push = strings.TrimPrefix(srv.URL, "http://")
	requireCritestShell(t)
	if err := r.pushCritestImages(nnpBinary(t)); err != nil {
		t.Fatal(err)
	}
	return r
}

// ServeHTTP is the registry, for requests to it and for requests that
// name another host (a proxy's); it notes the hosts so asked.
func (r *CRIRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodConnect || req.URL.Host != "" {
		r.mu.Lock()
		r.asked[req.Host] = true
		r.mu.Unlock()
	}
	if req.Method == http.MethodConnect {
		http.Error(w, "this proxy serves plain HTTP only", http.StatusForbidden)
		return
	}
	r.reg.ServeHTTP(w, req)
}

// Asked lists the hosts that were asked for through the proxy, sorted.
func (r *CRIRegistry) Asked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for h := range r.asked {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// critestFile is a file of an image layer.
type critestFile struct {
	mode int64
	data string
}

// critestImage is one image critest pulls: its repository path (without
// the registry), tags, the files added to busybox and the config.
type critestImage struct {
	path  string
	tags  []string
	files map[string]critestFile
	cfg   v1.Config
}

// nginxScript stands in for nginx (critest's web server, and the image
// its PID namespace tests look for with pidof and read /proc/1/cmdline
// and nginx.pid of): a process named nginx, with "master process" in its
// command line, that serves a page on $PORT.
const nginxScript = `#!/bin/sh
echo $$ > /var/run/nginx.pid
httpd -f -p "$PORT" -h /usr/share/nginx/html &
wait
`

// busyboxExtras are the commands critest runs in its busybox that
// Debian's busybox-static has no applet for: pgrep (as pidof, one PID a
// line) and ipcs -m (the System V shared memory segments, from /proc).
var busyboxExtras = map[string]critestFile{
	"bin/pgrep": {0o755, `#!/bin/sh
pids=$(pidof "$@") || exit 1
for p in $pids; do echo "$p"; done
`},
	"bin/ipcs": {0o755, `#!/bin/sh
echo "------ Shared Memory Segments --------"
echo "key        shmid      owner      perms      bytes      nattch"
awk 'NR > 1 { printf "%-10s %-10s %-10s %-10s %-10s %s\n", $1, $2, $8, $3, $4, $7 }' /proc/sysvipc/shm
`},
}

// critestBusybox is critest's default test image: busybox, its extras,
// /bin/ls a copy of busybox rather than the symlink to it every other
// applet is, as in upstream's image, whose applets are hard links
// (critest masks /bin/ls: a mask over a symlink would hide busybox
// itself), and sh, a shell that runs commands from PATH (critestShell).
func critestBusybox(busybox []byte, sh map[string]critestFile) map[string]critestFile {
	files := maps.Clone(busyboxExtras)
	maps.Copy(files, sh)
	files["bin/ls"] = critestFile{0o755, string(busybox)}
	return files
}

func critestImages(nnp, busybox []byte, sh map[string]critestFile) []critestImage {
	page := map[string]critestFile{"usr/share/nginx/html/index.html": {0o644, "<h1>Welcome to nginx!</h1>\n"}, "var/run/.keep": {0o644, ""},
		"usr/sbin/nginx": {0o755, nginxScript}}
	nginx := func(port string) v1.Config {
		return v1.Config{Env: []string{"PORT=" + port}, Cmd: []string{"/usr/sbin/nginx", "-g", "daemon off; master process"}, ExposedPorts: map[string]struct{}{port + "/tcp": {}}}
	}
	marked := func(path, tag, mark string) critestImage {
		return critestImage{path: path, tags: []string{tag}, files: map[string]critestFile{mark: {0o644, mark + "\n"}}, cfg: v1.Config{Cmd: []string{"sh"}}}
	}
	const staging = "k8s-staging-cri-tools/"
	user := func(repo, u string) critestImage {
		img := marked(staging+repo, "latest", repo)
		img.cfg.User = u
		img.files["etc/passwd"] = critestFile{0o644, Passwd + "www-data:x:33:33:www-data:/var/www:/bin/false\n"}
		img.files["etc/group"] = critestFile{0o644, Group + "www-data:x:33:\nusers:x:100:\n"}
		return img
	}
	predefined := user("test-image-predefined-group", "1000")
	predefined.files["etc/passwd"] = critestFile{0o644, Passwd + "default-user:x:1000:1000::/home/default-user:/bin/sh\n"}
	predefined.files["etc/group"] = critestFile{0o644, Group + "default-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n"}
	out := []critestImage{
		{path: "e2e-test-images/busybox", tags: []string{"1.29-2"}, files: critestBusybox(busybox, sh), cfg: v1.Config{Cmd: []string{"sh"}}},
		{path: "e2e-test-images/nginx", tags: []string{"1.14-2"}, files: page, cfg: nginx("80")},
		{path: staging + "hostnet-nginx-" + runtime.GOARCH, tags: []string{"latest"}, files: page, cfg: nginx("12003")},
		{path: "e2e-test-images/httpd", tags: []string{"2.4.39-4"}, files: map[string]critestFile{"htdocs/index.html": {0o644, "<h1>It works!</h1>\n"}},
			cfg: v1.Config{Cmd: []string{"sh", "-c", "echo httpd serving on port 80; exec httpd -f -p 80 -h /htdocs"}, ExposedPorts: map[string]struct{}{"80/tcp": {}}}},
		{path: "e2e-test-images/nonewprivs", tags: []string{"1.3"}, files: map[string]critestFile{"usr/local/bin/nnp": {0o4755, string(nnp)}},
			cfg: v1.Config{Cmd: []string{"/usr/local/bin/nnp"}}},
		{path: "pause", tags: []string{"3.9"}, cfg: v1.Config{Cmd: []string{"sleep", "infinity"}}},
		marked(staging+"test-image-latest", "latest", "test-image-latest"),
		marked(staging+"test-image-tag", "test", "test-image-tag"),
		marked(staging+"test-image-tag", "all", "test-image-tag-all"),
		marked(staging+"test-image-1", "latest", "test-image-1"),
		marked(staging+"test-image-2", "latest", "test-image-2"),
		marked(staging+"test-image-3", "latest", "test-image-3"),
		{path: staging + "test-image-tags", tags: []string{"1", "2", "3"}, files: map[string]critestFile{"test-image-tags": {0o644, "tags\n"}}, cfg: v1.Config{Cmd: []string{"sh"}}},
		user("test-image-user-uid", "1002"),
		user("test-image-user-username", "www-data"),
		user("test-image-user-uid-group", "1003:users"),
		user("test-image-user-username-group", "www-data:users"),
		predefined,
	}
	return out
}

// pushCritestImages builds every image on one busybox layer and pushes
// it, under each of its tags.
func (r *CRIRegistry) pushCritestImages(nnp []byte) error {
	base, err := busyboxTar(nil)
	if err != nil {
		return fmt.Errorf("build critest's images: %w", err)
	}
	baseLayer, err := tarLayer(base)
	if err != nil {
		return fmt.Errorf("build critest's images: %w", err)
	}
	busybox, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return fmt.Errorf("build critest's images: %w", err)
	}
	sh, err := critestShell()
	if err != nil {
		return fmt.Errorf("build critest's images: %w", err)
	}
	for _, ci := range critestImages(nnp, busybox, sh) {
		img, err := ci.build(baseLayer)
		if err != nil {
			return fmt.Errorf("build critest image %s: %w", ci.path, err)
		}
		for _, tag := range ci.tags {
			ref, err := name.ParseReference(r.Push + "/" + ci.path + ":" + tag)
			if err != nil {
				return fmt.Errorf("push critest image %s:%s: %w", ci.path, tag, err)
			}
			if err := remote.Write(ref, img); err != nil {
				return fmt.Errorf("push critest image %s: %w", ref, err)
			}
		}
	}
	return nil
}

func (ci critestImage) build(base v1.Layer) (v1.Image, error) {
	layers := []v1.Layer{base}
	if len(ci.files) > 0 {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		names := make([]string, 0, len(ci.files))
		for n := range ci.files {
			names = append(names, n)
		}
		slices.Sort(names) // the same files give the same layer
		for _, n := range names {
			f := ci.files[n]
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
				return nil, err
			}
			if _, err := tw.Write([]byte(f.data)); err != nil {
				return nil, err
			}
		}
		if err := tw.Close(); err != nil {
			return nil, err
		}
		l, err := tarLayer(buf.Bytes())
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", runtime.GOARCH, ci.cfg
	return mutate.ConfigFile(img, cf)
}

func tarLayer(b []byte) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}

// nnpSource is critest's nonewprivs image's program: setuid root, it
// prints the effective UID it runs with.
const nnpSource = `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Printf("Effective uid: %d\n", os.Geteuid()) }
`

// nnpBinary builds nnpSource, static, in a temporary module.
func nnpBinary(t testing.TB) []byte {
	t.Helper()
	dir := t.TempDir()
	for n, text := range map[string]string{"go.mod": "module nnp\n\ngo 1.21\n", "main.go": nnpSource} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", "nnp", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the nonewprivs program: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "nnp"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

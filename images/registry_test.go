package images

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	ggcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/klauspost/compress/gzip"

	"berth/internal/testenv"
)

// loopbackTransport reaches only this machine: names ending in ".test"
// resolve to 127.0.0.1, and any other non-loopback address is refused, so
// no test can touch the internet (Docker Hub included).
func loopbackTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(host, ".test") || host == "localhost" {
				host = "127.0.0.1"
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return nil, fmt.Errorf("test transport: %s is not loopback", addr)
			}
			return dialer.DialContext(ctx, network, net.JoinHostPort(host, port))
		},
	}
}

// testRegistry serves go-containerregistry's in-process registry behind
// an optional middleware and returns its host:port.
func testRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func regOpts() RegistryOptions { return RegistryOptions{Transport: loopbackTransport()} }

// bigBusybox is a store holding busybox plus a gzip layer of pseudo-random
// bytes, big enough for downloads to be cut in the middle.
func bigBusybox(t *testing.T) (*Store, *Image) {
	t.Helper()
	s := buildStore(t, "")
	base, _ := s.Lookup("busybox")
	noise := make([]byte, 3<<20)
	for i := range noise {
		noise[i] = byte(i*7919 + i/3)
	}
	layer := makeTar(t, tarEntry{name: "noise", body: string(noise)})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(layer)
	zw.Close()
	// Two layers: busybox's (uncompressed) and the gzip noise.
	p := newPending()
	defer p.discard()
	f, _ := os.Open(s.blobPath(digestOf(t, base.Layers[0])))
	defer f.Close()
	if err := s.stageLayer(p, f, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.stageLayer(p, bytes.NewReader(gz.Bytes()), "", ""); err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(newConfig(ImageConfig{Cmd: []string{"sh"}}, p.diffIDs, nil, time.Unix(100, 0).UTC()))
	p.config = cfg
	p.refs = []string{"docker.io/library/big:latest"}
	id, err := s.commit(p)
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Lookup(id.String())
	if err != nil {
		t.Fatal(err)
	}
	return s, img
}

func TestPushPull(t *testing.T) {
	requireRoot(t)
	host := testRegistry(t, nil)
	src, img := bigBusybox(t)
	var pushed []Progress
	var mu sync.Mutex
	d, err := src.Push(context.Background(), "big", host+"/team/big:1", PushOptions{Registry: regOpts(), Progress: func(p Progress) {
		mu.Lock()
		pushed = append(pushed, p)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	var done []string
	for _, p := range pushed {
		if p.Action == "Pushed" {
			done = append(done, p.ID)
		}
	}
	if len(done) != 2 {
		t.Errorf("push progress = %v, want 2 layers pushed", pushed)
	}
	if got, _ := src.Lookup("big"); !slices.Contains(got.RepoDigests, host+"/team/big@"+d) {
		t.Errorf("repo digests after push = %v", got.RepoDigests)
	}
	// docker's one-argument push of a tag.
	if err := src.Tag("big", host+"/team/big:2"); err != nil {
		t.Fatal(err)
	}
	var existing atomic.Int32
	if _, err := src.Push(context.Background(), host+"/team/big:2", "", PushOptions{Registry: regOpts(), Progress: func(p Progress) {
		if p.Action == "Layer already exists" {
			existing.Add(1)
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if existing.Load() != 2 {
		t.Errorf("second push: %d layers already there, want 2", existing.Load())
	}

	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		dst := openStore(t, driver)
		var progress []Progress
		got, err := dst.Pull(context.Background(), host+"/team/big:1", PullOptions{Registry: regOpts(), Progress: func(p Progress) {
			mu.Lock()
			progress = append(progress, p)
			mu.Unlock()
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != img.ID || !slices.Equal(got.RepoTags, []string{host + "/team/big:1"}) || !slices.Equal(got.RepoDigests, []string{host + "/team/big@" + d}) {
			t.Fatalf("pulled %s %v %v, want %s", got.ID, got.RepoTags, got.RepoDigests, img.ID)
		}
		if got.Size != img.Size || got.Manifest.Digest.String() != d {
			t.Errorf("size %d manifest %s; want %d %s", got.Size, got.Manifest.Digest, img.Size, d)
		}
		var complete int
		for _, p := range progress {
			if p.Action == "Pull complete" {
				complete++
			}
		}
		if complete != 2 {
			t.Errorf("progress: %d layers complete, want 2: %v", complete, progress)
		}
		root := imageFiles(t, dst, got.ID)
		if fi, err := os.Stat(filepath.Join(root, "noise")); err != nil || fi.Size() != 3<<20 {
			t.Errorf("noise: %v %v", fi, err)
		}
		if e := entriesUnder(t, dst.tmpDir()); len(e) != 0 {
			t.Errorf("tmp/ after pull: %v", e)
		}
		// Pulling again finds every layer already there.
		if _, err := dst.Pull(context.Background(), host+"/team/big:1", PullOptions{Registry: regOpts()}); err != nil {
			t.Fatal(err)
		}
	}
	// Pull by digest: no tag, the digest recorded.
	byDigest := openStore(t, "")
	got, err := byDigest.Pull(context.Background(), host+"/team/big@"+d, PullOptions{Registry: regOpts()})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != img.ID || len(got.RepoTags) != 0 || !slices.Equal(got.RepoDigests, []string{host + "/team/big@" + d}) {
		t.Fatalf("pull by digest: %s %v %v", got.ID, got.RepoTags, got.RepoDigests)
	}
	// The pulled image pushes on, unchanged.
	d2, err := byDigest.Push(context.Background(), got.ID, host+"/copy:1", PushOptions{Registry: regOpts()})
	if err != nil || d2 != d {
		t.Fatalf("re-push: %s %v, want %s", d2, err, d)
	}
	if _, err := byDigest.Pull(context.Background(), host+"/team/nothere:1", PullOptions{Registry: regOpts()}); err == nil {
		t.Fatal("pull of a missing image succeeded")
	}
}

func TestPullMultiArchIndex(t *testing.T) {
	requireRoot(t)
	host := testRegistry(t, nil)
	src, img := bigBusybox(t)
	ours, _, err := src.remoteImage(digestOf(t, "sha256:"+img.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := random.Image(1024, 1)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: other, Descriptor: ggcrv1.Descriptor{Platform: &ggcrv1.Platform{OS: "linux", Architecture: "s390x"}}},
		mutate.IndexAddendum{Add: ours, Descriptor: ggcrv1.Descriptor{Platform: &ggcrv1.Platform{OS: "linux", Architecture: goArch()}}},
	)
	ref, _ := name.ParseReference(host + "/multi:1")
	if err := remote.WriteIndex(ref, idx, remote.WithTransport(loopbackTransport())); err != nil {
		t.Fatal(err)
	}
	idxDigest, _ := idx.Digest()
	dst := openStore(t, "")
	got, err := dst.Pull(context.Background(), host+"/multi:1", PullOptions{Registry: regOpts()})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != img.ID || !slices.Equal(got.RepoDigests, []string{host + "/multi@" + idxDigest.String()}) {
		t.Fatalf("pulled %s %v, want %s and the index digest", got.ID, got.RepoDigests, img.ID)
	}
}

func TestPullThroughMirror(t *testing.T) {
	requireRoot(t)
	mirror := testRegistry(t, nil)
	src, img := bigBusybox(t)
	if _, err := src.Push(context.Background(), "big", mirror+"/library/busybox:latest", PushOptions{Registry: regOpts()}); err != nil {
		t.Fatal(err)
	}
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "http://" + down.Addr().String()
	down.Close()
	dst := openStore(t, "")
	opts := regOpts()
	opts.Mirrors = []string{downURL, "http://" + mirror}
	got, err := dst.Pull(context.Background(), "busybox", PullOptions{Registry: opts})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != img.ID || !slices.Equal(got.RepoTags, []string{"busybox:latest"}) {
		t.Fatalf("pulled %s %v through the mirror", got.ID, got.RepoTags)
	}
	// With no working mirror the pull falls back to Docker Hub, which the
	// test transport refuses: the error names every endpoint tried.
	opts.Mirrors = []string{downURL}
	_, err = dst.Pull(context.Background(), "busybox", PullOptions{Registry: opts})
	if err == nil || !strings.Contains(err.Error(), down.Addr().String()) || !strings.Contains(err.Error(), "index.docker.io") {
		t.Fatalf("err = %v", err)
	}
}

func TestPullInsecureRegistry(t *testing.T) {
	requireRoot(t)
	addr := testRegistry(t, nil)
	_, port, _ := net.SplitHostPort(addr)
	host := "registry.test:" + port // not loopback by name: HTTPS unless insecure
	src, img := bigBusybox(t)
	opts := regOpts()
	if _, err := src.Push(context.Background(), "big", host+"/app:1", PushOptions{Registry: opts}); err == nil {
		t.Fatal("push over HTTPS to a plain HTTP registry succeeded")
	}
	opts.Insecure = []string{host}
	if _, err := src.Push(context.Background(), "big", host+"/app:1", PushOptions{Registry: opts}); err != nil {
		t.Fatal(err)
	}
	got, err := openStore(t, "").Pull(context.Background(), host+"/app:1", PullOptions{Registry: opts})
	if err != nil || got.ID != img.ID {
		t.Fatalf("pull from an insecure registry: %v, %v", got, err)
	}
}

// basicAuth demands user:pass on every request.
func basicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// tokenAuth is the distribution token flow: /v2/ answers with a Bearer
// challenge, /token trades user:pass for a token.
func tokenAuth(user, pass string) func(http.Handler) http.Handler {
	const token = "t0k3n"
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
					http.Error(w, "bad login", http.StatusUnauthorized)
					return
				}
				json.NewEncoder(w).Encode(map[string]string{"token": token})
				return
			}
			if r.Header.Get("Authorization") != "Bearer "+token {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="test"`, r.Host))
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestRegistryAuth(t *testing.T) {
	requireRoot(t)
	src, img := bigBusybox(t)
	for name, wrap := range map[string]func(http.Handler) http.Handler{"basic": basicAuth("alice", "s3cret"), "token": tokenAuth("alice", "s3cret")} {
		t.Run(name, func(t *testing.T) {
			host := testRegistry(t, wrap)
			anon := regOpts()
			if _, err := src.Push(context.Background(), "big", host+"/private:1", PushOptions{Registry: anon}); err == nil {
				t.Fatal("anonymous push succeeded")
			}
			creds := OpenCredentials(filepath.Join(t.TempDir(), "auth.json"))
			if err := Login(context.Background(), host, "alice", "wrong", anon); !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("login with a wrong password: %v", err)
			}
			if err := Login(context.Background(), host, "alice", "s3cret", anon); err != nil {
				t.Fatal(err)
			}
			if err := creds.Set(host, "alice", "s3cret"); err != nil {
				t.Fatal(err)
			}
			authed := regOpts()
			authed.Credentials = creds.Get
			if _, err := src.Push(context.Background(), "big", host+"/private:1", PushOptions{Registry: authed}); err != nil {
				t.Fatal(err)
			}
			dst := openStore(t, "")
			if _, err := dst.Pull(context.Background(), host+"/private:1", PullOptions{Registry: anon}); err == nil {
				t.Fatal("anonymous pull succeeded")
			}
			got, err := dst.Pull(context.Background(), host+"/private:1", PullOptions{Registry: authed})
			if err != nil || got.ID != img.ID {
				t.Fatalf("authenticated pull: %v, %v", got, err)
			}
		})
	}
}

func TestCredentialsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "berth", "auth.json")
	c := OpenCredentials(path)
	if _, _, ok := c.Get("r.example"); ok {
		t.Fatal("login before Set")
	}
	if err := c.Set("r.example", "bob", "pa:ss"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(DockerHub, "hub", "x"); err != nil {
		t.Fatal(err)
	}
	if u, p, ok := c.Get("r.example"); !ok || u != "bob" || p != "pa:ss" {
		t.Fatalf("Get = %q %q %v", u, p, ok)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credential file mode %v, %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	var f credentialFile
	json.Unmarshal(data, &f)
	if f.Auths["r.example"].Auth != base64.StdEncoding.EncodeToString([]byte("bob:pa:ss")) {
		t.Errorf("file = %s", data)
	}
	if ok, err := c.Remove("r.example"); !ok || err != nil {
		t.Fatalf("Remove = %v %v", ok, err)
	}
	if ok, _ := c.Remove("r.example"); ok {
		t.Fatal("second Remove found a login")
	}
	if _, _, ok := c.Get(DockerHub); !ok {
		t.Fatal("Remove dropped another registry")
	}
}

// blobMiddleware intercepts GETs of one blob.
func blobMiddleware(blob string, serve func(w http.ResponseWriter, r *http.Request, next http.Handler)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+blob) {
				serve(w, r, next)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// noiseBlob is the digest of bigBusybox's gzip layer.
func noiseBlob(t *testing.T, s *Store, img *Image) string {
	rec, err := s.readRecord(digestOf(t, "sha256:"+img.ID))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.readManifest(rec.Manifest.Digest)
	return m.Layers[1].Digest.String()
}

func TestPullRejectsWrongDigest(t *testing.T) {
	requireRoot(t)
	src, img := bigBusybox(t)
	blob := noiseBlob(t, src, img)
	host := testRegistry(t, blobMiddleware(blob, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		body[len(body)/2] ^= 0xff // same size, wrong content
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	if _, err := src.Push(context.Background(), "big", host+"/bad:1", PushOptions{Registry: regOpts()}); err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "")
	_, err := dst.Pull(context.Background(), host+"/bad:1", PullOptions{Registry: regOpts()})
	if err == nil || !strings.Contains(err.Error(), "does not match its digest") {
		t.Fatalf("err = %v", err)
	}
	for _, dir := range []string{dst.imagesDir(), dst.blobDir(), dst.driverDir(), dst.tmpDir()} {
		if e := entriesUnder(t, dir); len(e) != 0 {
			t.Errorf("%s after a rejected pull: %v", dir, e)
		}
	}
}

func TestPullResumesInterruptedDownload(t *testing.T) {
	requireRoot(t)
	src, img := bigBusybox(t)
	blob := noiseBlob(t, src, img)
	var cuts, ranges atomic.Int32
	host := testRegistry(t, blobMiddleware(blob, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Header.Get("Range") != "" {
			ranges.Add(1)
			next.ServeHTTP(w, r)
			return
		}
		if cuts.Add(1) > 1 {
			next.ServeHTTP(w, r)
			return
		}
		// The first download dies half way.
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}))
	if _, err := src.Push(context.Background(), "big", host+"/flaky:1", PushOptions{Registry: regOpts()}); err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "")
	got, err := dst.Pull(context.Background(), host+"/flaky:1", PullOptions{Registry: regOpts()})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != img.ID || cuts.Load() != 1 || ranges.Load() != 1 {
		t.Fatalf("pulled %s after %d cut downloads and %d range requests", got.ID, cuts.Load(), ranges.Load())
	}
}

// TestRealRegistry pushes to and pulls from Debian's docker-registry (the
// CNCF distribution registry) started on a free loopback port.
func TestRealRegistry(t *testing.T) {
	requireRoot(t)
	addr := testenv.DistributionRegistry(t)
	src, img := bigBusybox(t)
	d, err := src.Push(context.Background(), "big", addr+"/team/big:1", PushOptions{Registry: regOpts()})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{addr + "/team/big:1", addr + "/team/big@" + d} {
		got, err := openStore(t, "").Pull(context.Background(), ref, PullOptions{Registry: regOpts()})
		if err != nil || got.ID != img.ID {
			t.Fatalf("pull %s: %v, %v", ref, got, err)
		}
	}
}

func TestBuildPullsMissingBase(t *testing.T) {
	requireRoot(t)
	host := testRegistry(t, nil)
	src, img := bigBusybox(t)
	if _, err := src.Push(context.Background(), "big", host+"/base:1", PushOptions{Registry: regOpts()}); err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "")
	pull := func(ctx context.Context, ref string) (*Image, error) {
		return dst.Pull(ctx, ref, PullOptions{Registry: regOpts()})
	}
	got, err := dst.Build(context.Background(), BuildOptions{
		DockerfileText: []byte("FROM " + host + "/base:1\nRUN write /x y\n"), Runner: &fakeRunner{}, Pull: pull,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Layers) != len(img.Layers)+1 {
		t.Fatalf("%d layers, want %d", len(got.Layers), len(img.Layers)+1)
	}
	du, err := dst.DiskUsage()
	if err != nil || du.BuildCacheEntries != 1 || len(du.Images) != 2 {
		t.Fatalf("disk usage %+v, %v", du, err)
	}
}

// TestInsecureTLSRegistry reaches a registry whose certificate nobody
// trusts: refused by default, accepted when listed as insecure.
func TestInsecureTLSRegistry(t *testing.T) {
	requireRoot(t)
	srv := httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	host := "registry.test:" + port
	src, img := bigBusybox(t)
	opts := regOpts()
	if _, err := src.Push(context.Background(), "big", host+"/app:1", PushOptions{Registry: opts}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("push to an untrusted certificate: %v", err)
	}
	opts.Insecure = []string{host}
	if _, err := src.Push(context.Background(), "big", host+"/app:1", PushOptions{Registry: opts}); err != nil {
		t.Fatal(err)
	}
	got, err := openStore(t, "").Pull(context.Background(), host+"/app:1", PullOptions{Registry: opts})
	if err != nil || got.ID != img.ID {
		t.Fatalf("pull: %v, %v", got, err)
	}
}

package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"berth/internal/testenv"

	"github.com/google/go-containerregistry/pkg/registry"
)

// The fault tests of issue 10, point 6: big images and interrupted
// transfers. Images of 125 layers run; a create that fails leaves nothing
// in the data root; the temporary files of a pull, load or import killed
// with SIGKILL are gone after the next command, except a pull's partial
// blob, which the next pull resumes with a Range request.

// layerTar is an uncompressed layer holding the given files.
func layerTar(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dockerArchive is a `docker save` archive of one image made of layers
// (uncompressed tars, bottom first), tagged tag.
func dockerArchive(t *testing.T, tag string, layers [][]byte) []byte {
	t.Helper()
	var diffIDs, history, paths []string
	for i, l := range layers {
		diffIDs = append(diffIDs, fmt.Sprintf("%q", fmt.Sprintf("sha256:%x", sha256.Sum256(l))))
		history = append(history, fmt.Sprintf(`{"created_by":"layer %d"}`, i))
		paths = append(paths, fmt.Sprintf("%d/layer.tar", i))
	}
	config := fmt.Sprintf(`{"architecture":%q,"os":"linux","config":{"Cmd":["sh"]},`+
		`"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}`,
		runtime.GOARCH, strings.Join(diffIDs, ","), strings.Join(history, ","))
	configName := fmt.Sprintf("%x.json", sha256.Sum256([]byte(config)))
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{tag}, "Layers": paths}})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{configName: config, "manifest.json": string(manifest)}
	for i, l := range layers {
		files[paths[i]] = string(l)
	}
	return layerTar(t, files)
}

// manyLayers is busybox with /bottom in its layer, then n-1 layers of one
// file each, /layer<i>.
func manyLayers(t *testing.T, n int) [][]byte {
	t.Helper()
	layers := [][]byte{testenv.BusyboxTarWith(t, map[string][]byte{"bottom": []byte("bottom\n")})}
	for i := 1; i < n; i++ {
		layers = append(layers, layerTar(t, map[string]string{fmt.Sprintf("layer%d", i): fmt.Sprintf("layer %d\n", i)}))
	}
	return layers
}

// loadArchive loads a docker archive into b.
func (b *berthEnv) loadArchive(t *testing.T, archive []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("load", "-i", path)
}

// TestBigImageRuns runs an image of 125 layers, as many as Docker runs,
// and reads a file of its lowest and of its highest layer.
func TestBigImageRuns(t *testing.T) {
	b := newFaultEnv(t)
	b.loadArchive(t, dockerArchive(t, "big:125", manyLayers(t, 125)))
	out := b.must("run", "--rm", "--pull", "never", "--network", "none", "big:125", "cat", "/bottom", "/layer62", "/layer124")
	if out != "bottom\nlayer 62\nlayer 124\n" {
		t.Fatalf("run big:125 printed %q", out)
	}
	// A RUN step of a build over the 125 layers adds a 126th.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM big:125\nRUN echo top > /top\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", "-t", "big:126", dir)
	out = b.must("run", "--rm", "--pull", "never", "--network", "none", "big:126", "cat", "/bottom", "/layer124", "/top")
	if out != "bottom\nlayer 124\ntop\n" {
		t.Fatalf("run big:126 printed %q", out)
	}
	b.assertNoLeftovers(t)
}

// dataRootEntries lists what is in dir of the data root, "" when nothing
// is.
func (b *berthEnv) dataRootEntries(t *testing.T, dir string) string {
	t.Helper()
	return dirEntries(t, filepath.Join(b.root(), dir))
}

// dirEntries lists what is in dir, "" when nothing is (or no dir).
func dirEntries(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// assertNoLeftovers checks that the data root holds no container (in the
// engine's or the image store's directory) and no temporary file.
func (b *berthEnv) assertNoLeftovers(t *testing.T) {
	t.Helper()
	if ps := strings.TrimSpace(b.must("ps", "-aq")); ps != "" {
		t.Errorf("containers left: %s", ps)
	}
	for _, dir := range []string{"containers", "image/containers", "image/tmp"} {
		if got := b.dataRootEntries(t, dir); got != "" {
			t.Errorf("%s holds %s", dir, got)
		}
	}
}

// TestFailedCreateLeavesNothing makes create (and run --rm) fail at each
// point it can: over the layer limit (before the rootfs is made), a
// network that does not exist (after it is made), a device that does not
// exist, and in the init at start (a user the image does not have, a file
// mounted on a directory). Each must exit 125 (create: 1) and leave no container,
// container layer or temporary file; removing the images then leaves no
// layer, link or blob.
func TestFailedCreateLeavesNothing(t *testing.T) {
	b := newFaultEnv(t)
	b.loadArchive(t, dockerArchive(t, "huge:150", manyLayers(t, 150)))
	for _, args := range [][]string{
		{"create", "huge:150", "true"},
		{"run", "--rm", "--network", "none", "huge:150", "true"},
		{"create", "--network", "no-such-network", "busybox", "true"},
		{"create", "--device", "/dev/no-such-device", "busybox", "true"},
		{"run", "--rm", "--network", "none", "--user", "no-such-user", "busybox", "true"},
		{"run", "--rm", "--network", "none", "-v", "/etc/passwd:/bin", "busybox", "true"},
	} {
		args = append([]string{args[0], "--pull", "never"}, args[1:]...)
		_, stderr, err := b.try(args...)
		want := 125 // run's code for any failure to create; create's is 1, the daemon's
		if args[0] == "create" {
			want = 1
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != want {
			t.Errorf("berth %s: %v (want exit %d): %s", strings.Join(args, " "), err, want, stderr)
		}
		b.assertNoLeftovers(t)
		if got := dirEntries(t, filepath.Join(b.runRoot(), "containers")); got != "" {
			t.Errorf("after berth %s: run/containers holds %s", strings.Join(args, " "), got)
		}
	}
	if out, stderr, err := b.try("create", "--pull", "never", "huge:150", "true"); err == nil || !strings.Contains(stderr, "150 layers") {
		t.Errorf("create of 150 layers: %v, %q: %s", err, out, stderr)
	}
	b.must("rmi", "huge:150", "busybox")
	layers := b.dataRootEntries(t, "image/layers/overlay2")
	if links := b.dataRootEntries(t, "image/layers/overlay2/l"); (layers != "" && layers != "l") || links != "" {
		t.Errorf("layers left: %q, links left: %q", layers, links)
	}
	if blobs := b.dataRootEntries(t, "image/blobs/sha256"); blobs != "" {
		t.Errorf("blobs left: %s", blobs)
	}
}

// noise is n bytes that do not compress, the same on every call.
func noise(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b
}

// bigRootfs is busybox with /bottom and 16 MiB of noise in /noise.
func bigRootfs(t *testing.T) []byte {
	t.Helper()
	return testenv.BusyboxTarWith(t, map[string][]byte{"bottom": []byte("bottom\n"), "noise": noise(16 << 20)})
}

// tmpEntries lists the image store's tmp/ entries.
func (b *berthEnv) tmpEntries(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(b.root(), "image", "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// killMidway starts berth with args and the first half of input on its
// stdin, waits until the image store's tmp/ holds work of that process,
// and kills it with SIGKILL, by PID. It returns the tmp/ entries seen
// just before the kill.
func (b *berthEnv) killMidway(t *testing.T, input []byte, args ...string) []string {
	t.Helper()
	cmd := b.cmd(args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// The write returns once berth has read all but a pipe's buffer.
	if _, err := stdin.Write(input[:len(input)/2]); err != nil {
		t.Fatalf("berth %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	var seen []string
	waitFor(t, "berth "+args[0]+" to write under tmp/", 30*time.Second, func() bool {
		seen = b.tmpEntries(t)
		for _, name := range seen {
			if strings.Contains(name, "."+pid+".") {
				return true
			}
		}
		return false
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("berth %s finished before it was killed", strings.Join(args, " "))
	}
	return seen
}

// TestKilledLoadAndImportLeaveNoTemporaryFiles kills `berth load` and
// `berth import` half way through a large tarball; the next command
// (`berth images`) removes what they left under tmp/.
func TestKilledLoadAndImportLeaveNoTemporaryFiles(t *testing.T) {
	b := newFaultEnv(t)
	rootfs := bigRootfs(t)
	for _, tc := range []struct {
		input []byte
		args  []string
	}{
		{dockerArchive(t, "big:load", [][]byte{rootfs}), []string{"load"}},
		{rootfs, []string{"import", "-", "big:import"}},
	} {
		seen := b.killMidway(t, tc.input, tc.args...)
		b.must("images")
		if left := b.tmpEntries(t); len(left) != 0 {
			t.Errorf("berth %s killed with %v under tmp/; after `berth images`: %v", tc.args[0], seen, left)
		}
		if images := strings.TrimSpace(b.must("images", "-q", "big")); images != "" {
			t.Errorf("berth %s killed half way stored %s", tc.args[0], images)
		}
	}
	// Whole, both work.
	b.loadArchive(t, dockerArchive(t, "big:load", [][]byte{rootfs}))
	if out := b.must("run", "--rm", "--pull", "never", "--network", "none", "big:load", "cat", "/bottom"); out != "bottom\n" {
		t.Errorf("run big:load printed %q", out)
	}
	b.assertNoLeftovers(t)
}

// stallingRegistry serves a registry (next) on 127.0.0.1 and, while stall
// is set, sends half of the blob big and then nothing more until the
// client goes away. It records the Range requests for big and
// the status they were answered with.
type stallingRegistry struct {
	host   string
	big    string
	stall  atomic.Bool
	mu     sync.Mutex
	ranges []string // "<Range header> <status>"
}

func newStallingRegistry(t *testing.T, next http.Handler, big string) *stallingRegistry {
	t.Helper()
	reg := &stallingRegistry{big: big}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+big) {
			next.ServeHTTP(w, r)
			return
		}
		if rng := r.Header.Get("Range"); rng != "" {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			reg.mu.Lock()
			reg.ranges = append(reg.ranges, fmt.Sprintf("%s %d", rng, rec.Code))
			reg.mu.Unlock()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		if !reg.stall.Load() {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	reg.host = strings.TrimPrefix(srv.URL, "http://")
	return reg
}

// distributionRegistry starts Debian's docker-registry (the CNCF
// distribution registry) on a free loopback port and returns a proxy to
// it; it skips the test when the registry is not installed (fails under
// CI=true).
func distributionRegistry(t *testing.T) http.Handler {
	t.Helper()
	addr := testenv.DistributionRegistry(t)
	return httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: addr})
}

// TestKilledPullResumes kills `berth pull` (SIGKILL, by PID) while a big
// blob is half downloaded from a registry on 127.0.0.1: go-containerregistry's,
// and Debian's docker-registry. The next command removes the killed pull's
// temporary files but keeps the partial blob; the next pull asks for the
// rest of it with a Range request and finishes.
func TestKilledPullResumes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		registry func(t *testing.T) http.Handler
	}{
		{"go-containerregistry", func(*testing.T) http.Handler {
			return registry.New(registry.Logger(log.New(io.Discard, "", 0)))
		}},
		{"distribution", distributionRegistry},
	} {
		t.Run(tc.name, func(t *testing.T) { killedPullResumes(t, tc.registry(t)) })
	}
}

func killedPullResumes(t *testing.T, backend http.Handler) {
	b := newFaultEnv(t)
	base := testenv.BusyboxTarWith(t, map[string][]byte{"bottom": []byte("bottom\n")})
	big := layerTar(t, map[string]string{"noise": string(noise(16 << 20))})
	bigDigest := fmt.Sprintf("sha256:%x", sha256.Sum256(big))
	reg := newStallingRegistry(t, backend, bigDigest)
	ref := reg.host + "/team/big:1"
	b.loadArchive(t, dockerArchive(t, "big:1", [][]byte{base, big}))
	id := strings.TrimSpace(b.must("images", "-q", "--no-trunc", "big:1"))
	b.must("tag", "big:1", ref)
	b.must("push", "-q", ref)
	b.must("rmi", "big:1", ref)

	reg.stall.Store(true)
	cmd := b.cmd("pull", ref)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	pid := strconv.Itoa(cmd.Process.Pid)
	partial := filepath.Join(b.root(), "image", "tmp", "partial-"+strings.TrimPrefix(bigDigest, "sha256:"))
	var seen []string
	waitFor(t, "half of the big blob and the pull's own files under tmp/", 30*time.Second, func() bool {
		fi, err := os.Stat(partial)
		if err != nil || fi.Size() < int64(len(big)/2) {
			return false
		}
		seen = b.tmpEntries(t)
		for _, name := range seen {
			if strings.Contains(name, "."+pid+".") {
				return true
			}
		}
		return false
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("pull finished before it was killed: %s", stderr.String())
	}

	b.must("images")
	left := b.tmpEntries(t)
	if len(left) != 1 || left[0] != filepath.Base(partial) {
		t.Fatalf("pull killed with %v under tmp/; after `berth images`: %v, want only the partial blob", seen, left)
	}
	fi, err := os.Stat(partial)
	if err != nil {
		t.Fatal(err)
	}
	reg.stall.Store(false)
	b.must("pull", "-q", ref)
	want := fmt.Sprintf("bytes=%d-%d 206", fi.Size(), len(big)-1)
	reg.mu.Lock()
	ranges := reg.ranges
	reg.mu.Unlock()
	if len(ranges) != 1 || ranges[0] != want {
		t.Errorf("second pull asked for %q, want one %q", ranges, want)
	}
	if got := strings.TrimSpace(b.must("images", "-q", "--no-trunc", ref)); got != id {
		t.Errorf("pulled %s, pushed %s", got, id)
	}
	if out := b.must("run", "--rm", "--pull", "never", "--network", "none", ref, "cat", "/bottom"); out != "bottom\n" {
		t.Errorf("run %s printed %q", ref, out)
	}
	b.assertNoLeftovers(t)
}

// killStepsOf kills, by PID, the processes of build steps left in the
// environment's cgroup parent by a killed build, and removes their
// cgroups.
func (b *berthEnv) killStepsOf(t *testing.T) {
	var groups []string
	for _, pattern := range []string{"/sys/fs/cgroup/" + b.parent + "/build-*", "/sys/fs/cgroup/*/" + b.parent + "/build-*"} {
		found, _ := filepath.Glob(pattern)
		groups = append(groups, found...)
	}
	for _, g := range groups {
		deadline := time.Now().Add(10 * time.Second)
		for {
			procs, _ := os.ReadFile(filepath.Join(g, "cgroup.procs"))
			pids := strings.Fields(string(procs))
			if len(pids) == 0 || time.Now().After(deadline) {
				break
			}
			for _, p := range pids {
				if pid, err := strconv.Atoi(p); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := os.Remove(g); err != nil {
			t.Errorf("remove build step cgroup: %v", err)
		}
	}
}

// TestKilledBuildLeavesNoTemporaryFiles kills `berth build` (SIGKILL, by
// PID) while a RUN step runs; the next command kills the step's
// processes, removes its cgroup, run directory and root filesystem, and
// whatever the build had under tmp/.
func TestKilledBuildLeavesNoTemporaryFiles(t *testing.T) {
	b := newFaultEnv(t)
	t.Cleanup(func() { b.killStepsOf(t) })
	dir := t.TempDir()
	dockerfile := "FROM busybox\nCOPY noise /noise\nRUN echo started > /started && sleep 30\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "noise"), noise(4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := b.cmd("build", "-t", "killed:1", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	pid := strconv.Itoa(cmd.Process.Pid)
	containers := filepath.Join(b.root(), "image", "containers")
	waitFor(t, "the build's RUN step to start", 30*time.Second, func() bool {
		for _, name := range strings.Fields(dirEntries(t, containers)) {
			if strings.HasPrefix(name, "build-") && strings.Contains(name, "."+pid+".") {
				_, err := os.Stat(filepath.Join(containers, name, "diff", "started"))
				return err == nil
			}
		}
		return false
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("build finished before it was killed: %s", out.String())
	}
	var step string
	for _, name := range strings.Fields(dirEntries(t, containers)) {
		if strings.HasPrefix(name, "build-") {
			step = name
		}
	}
	b.must("images")
	if left := dirEntries(t, containers); left != "" {
		t.Errorf("image/containers after `berth images`: %s", left)
	}
	if _, err := os.Stat(filepath.Join(b.runRoot(), step)); !os.IsNotExist(err) {
		t.Errorf("run directory of step %s after `berth images`: %v", step, err)
	}
	for _, pattern := range []string{"/sys/fs/cgroup/" + b.parent + "/" + step, "/sys/fs/cgroup/*/" + b.parent + "/" + step} {
		if found, _ := filepath.Glob(pattern); len(found) > 0 {
			t.Errorf("cgroup of step %s after `berth images`: %v", step, found)
		}
	}
	if left := b.tmpEntries(t); len(left) != 0 {
		t.Errorf("image/tmp after `berth images`: %v", left)
	}
}

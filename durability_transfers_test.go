package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"berth/internal/testenv"
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
	out := b.must("run", "--rm", "--pull", "never", "big:125", "cat", "/bottom", "/layer62", "/layer124")
	if out != "bottom\nlayer 62\nlayer 124\n" {
		t.Fatalf("run big:125 printed %q", out)
	}
	// A RUN step of a build over the 125 layers adds a 126th.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM big:125\nRUN echo top > /top\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-q", "-t", "big:126", dir)
	out = b.must("run", "--rm", "--pull", "never", "big:126", "cat", "/bottom", "/layer124", "/top")
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
// mounted on a directory). Each must exit 125 and leave no container,
// container layer or temporary file; removing the images then leaves no
// layer, link or blob.
func TestFailedCreateLeavesNothing(t *testing.T) {
	b := newFaultEnv(t)
	b.loadArchive(t, dockerArchive(t, "huge:150", manyLayers(t, 150)))
	for _, args := range [][]string{
		{"create", "huge:150", "true"},
		{"run", "--rm", "huge:150", "true"},
		{"create", "--network", "no-such-network", "busybox", "true"},
		{"create", "--device", "/dev/no-such-device", "busybox", "true"},
		{"run", "--rm", "--user", "no-such-user", "busybox", "true"},
		{"run", "--rm", "-v", "/etc/passwd:/bin", "busybox", "true"},
	} {
		args = append([]string{args[0], "--pull", "never"}, args[1:]...)
		_, stderr, err := b.try(args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 125 {
			t.Errorf("berth %s: %v (want exit 125): %s", strings.Join(args, " "), err, stderr)
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

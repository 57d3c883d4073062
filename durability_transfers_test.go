package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
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

// dataRootEntries lists what is under dir of the data root, "" when
// nothing is.
func (b *berthEnv) dataRootEntries(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(b.root(), dir))
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

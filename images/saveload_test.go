package images

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func gzipBytes(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// readArchive lists a tar's files and their content.
func readArchive(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out[hdr.Name] = body
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	requireRoot(t)
	src := openStore(t, "")
	base := makeTar(t, tarEntry{name: "etc/", typ: tar.TypeDir}, tarEntry{name: "etc/base", body: "b"})
	// The top layer is stored gzip-compressed; save must write it plain.
	top := gzipBytes(t, makeTar(t, tarEntry{name: "etc/.wh.base"}, tarEntry{name: "app", body: "app"}))
	app := commitLayers(t, src, "app:1", base, top)
	bb, err := src.Import(bytes.NewReader(busyboxTar(t)), "busybox", ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := src.Save(&archive, []string{"app:1", "busybox", bb.ID}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	files := readArchive(t, archive.Bytes())
	var manifest []archiveManifest
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 2 || !slices.Equal(manifest[0].RepoTags, []string{"app:1"}) || !slices.Equal(manifest[1].RepoTags, []string{"busybox:latest"}) {
		t.Fatalf("manifest.json = %+v", manifest)
	}
	for _, name := range manifest[0].Layers {
		sum := sha256.Sum256(files[name])
		if "blobs/sha256/"+hex.EncodeToString(sum[:]) != name {
			t.Errorf("layer %s is not its uncompressed content", name)
		}
	}
	if _, ok := files["oci-layout"]; !ok {
		t.Error("no oci-layout")
	}

	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		dst := openStore(t, driver)
		loaded, err := dst.Load(bytes.NewReader(archive.Bytes()), LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []Loaded{{ID: app.ID, Tags: []string{"app:1"}}, {ID: bb.ID, Tags: []string{"busybox:latest"}}}
		if len(loaded) != 2 || loaded[0].ID != want[0].ID || loaded[1].ID != want[1].ID || !slices.Equal(loaded[0].Tags, want[0].Tags) {
			t.Fatalf("%s: loaded %+v, want %+v", driver, loaded, want)
		}
		got, err := dst.Lookup("app:1")
		if err != nil || got.Size != app.Size || !slices.Equal(got.Layers, app.Layers) {
			t.Fatalf("%s: loaded image %+v, %v", driver, got, err)
		}
		mounts, err := dst.CreateRootfs("c", "app:1")
		if err != nil {
			t.Fatal(err)
		}
		root, _ := mountRootfs(t, mounts)
		if tree := strings.Join(entriesUnder(t, root), ","); tree != withInit("app", "etc") {
			t.Errorf("%s: rootfs = %s", driver, tree)
		}
		if e := entriesUnder(t, dst.tmpDir()); len(e) != 0 {
			t.Errorf("tmp/ not empty: %v", e)
		}
	}
}

// TestLoadHandMadeDockerArchive loads an archive in the legacy layout of
// docker save before version 25 (documented in moby's
// image/spec/v1.2.md): <id>.json configs, <layer>/layer.tar, a repositories
// file, and a duplicate layer as a symlink.
func TestLoadHandMadeDockerArchive(t *testing.T) {
	requireRoot(t)
	layer1 := makeTar(t, tarEntry{name: "hello", body: "hi"})
	layer2 := makeTar(t, tarEntry{name: "bye", body: "bye"})
	d1, d2 := digest.FromBytes(layer1), digest.FromBytes(layer2)
	created := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	config := []byte(`{"architecture":"amd64","os":"linux","created":"` + created.Format(time.RFC3339) + `",` +
		`"config":{"Cmd":["/hello"],"Env":["A=1"]},"container_config":{},"docker_version":"20.10.5",` +
		`"rootfs":{"type":"layers","diff_ids":["` + d1.String() + `","` + d2.String() + `","` + d1.String() + `"]},` +
		`"history":[{"created_by":"ADD hello"},{"created_by":"ADD bye"},{"created_by":"ENV A=1","empty_layer":true},{"created_by":"ADD hello again"}]}`)
	id := digest.FromBytes(config)
	manifest := `[{"Config":"` + id.Encoded() + `.json","RepoTags":["legacy:old","team/legacy:2"],"Layers":["l1/layer.tar","l2/layer.tar","l3/layer.tar"]}]`
	archive := makeTar(t,
		tarEntry{name: "l1/", typ: tar.TypeDir},
		tarEntry{name: "l1/VERSION", body: "1.0"},
		tarEntry{name: "l1/json", body: `{"id":"l1"}`},
		tarEntry{name: "l1/layer.tar", body: string(layer1)},
		tarEntry{name: "l2/", typ: tar.TypeDir},
		tarEntry{name: "l2/layer.tar", body: string(layer2)},
		tarEntry{name: "l3/", typ: tar.TypeDir},
		tarEntry{name: "l3/layer.tar", typ: tar.TypeSymlink, link: "../l1/layer.tar"},
		tarEntry{name: id.Encoded() + ".json", body: string(config)},
		tarEntry{name: "manifest.json", body: manifest},
		tarEntry{name: "repositories", body: `{"legacy":{"old":"l3"}}`},
	)
	s := openStore(t, "")
	loaded, err := s.Load(bytes.NewReader(gzipBytes(t, archive)), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].ID != id.Encoded() || !slices.Equal(loaded[0].Tags, []string{"legacy:old", "team/legacy:2"}) {
		t.Fatalf("loaded = %+v", loaded)
	}
	img, err := s.Lookup("team/legacy:2")
	if err != nil {
		t.Fatal(err)
	}
	if !img.Created.Equal(created) || !slices.Equal(img.Config.Cmd, []string{"/hello"}) || len(img.Layers) != 3 {
		t.Errorf("image = %+v", img)
	}
	hist, err := s.History("legacy:old")
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	var createdBy []string
	for _, h := range hist {
		sizes = append(sizes, h.Size)
		createdBy = append(createdBy, h.CreatedBy)
	}
	if !slices.Equal(sizes, []int64{2, 0, 3, 2}) || createdBy[0] != "ADD hello again" || hist[0].ID != id.Encoded() || !hist[1].EmptyLayer {
		t.Errorf("history = %+v", hist)
	}
}

// ociLayout writes an OCI image layout for one image behind a two-platform
// index, as registries serve multi-arch images.
func ociLayout(t *testing.T, dir string, layer []byte, tamper bool) (imageID string) {
	t.Helper()
	put := func(data []byte) v1.Descriptor {
		d := digest.FromBytes(data)
		if err := os.MkdirAll(filepath.Join(dir, "blobs/sha256"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "blobs/sha256", d.Encoded()), data, 0o644); err != nil {
			t.Fatal(err)
		}
		return v1.Descriptor{Digest: d, Size: int64(len(data))}
	}
	gz := gzipBytes(t, layer)
	layerDesc := put(gz)
	layerDesc.MediaType = v1.MediaTypeImageLayerGzip
	cfg, _ := json.Marshal(newConfig(ImageConfig{Cmd: []string{"x"}}, []digest.Digest{digest.FromBytes(layer)}, nil, time.Unix(1, 0).UTC()))
	cfgDesc := put(cfg)
	cfgDesc.MediaType = v1.MediaTypeImageConfig
	m, _ := json.Marshal(v1.Manifest{MediaType: v1.MediaTypeImageManifest, Config: cfgDesc, Layers: []v1.Descriptor{layerDesc}})
	mDesc := put(m)
	mDesc.MediaType = v1.MediaTypeImageManifest
	mDesc.Platform = &v1.Platform{OS: "linux", Architecture: goArch()}
	other := mDesc
	other.Digest = digest.FromString("other")
	other.Platform = &v1.Platform{OS: "linux", Architecture: "s390x"}
	nested, _ := json.Marshal(v1.Index{MediaType: v1.MediaTypeImageIndex, Manifests: []v1.Descriptor{other, mDesc}})
	nDesc := put(nested)
	nDesc.MediaType = v1.MediaTypeImageIndex
	nDesc.Annotations = map[string]string{annotationRefName: "registry.local:5000/oci/app:3"}
	idx, _ := json.Marshal(v1.Index{MediaType: v1.MediaTypeImageIndex, Manifests: []v1.Descriptor{nDesc}})
	if err := os.WriteFile(filepath.Join(dir, "index.json"), idx, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if tamper {
		os.WriteFile(filepath.Join(dir, "blobs/sha256", layerDesc.Digest.Encoded()), gzipBytes(t, makeTar(t, tarEntry{name: "evil"})), 0o644)
	}
	return cfgDesc.Digest.Encoded()
}

func TestLoadOCILayout(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	id := ociLayout(t, dir, makeTar(t, tarEntry{name: "oci", body: "1"}), false)
	s := openStore(t, "")
	loaded, err := s.LoadLayout(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].ID != id || !slices.Equal(loaded[0].Tags, []string{"registry.local:5000/oci/app:3"}) {
		t.Fatalf("loaded = %+v", loaded)
	}
	img, err := s.Lookup("registry.local:5000/oci/app:3")
	if err != nil || img.Manifest.Digest == "" {
		t.Fatal(img, err)
	}
	if got, _ := s.readManifest(img.Manifest.Digest); got.Layers[0].MediaType != v1.MediaTypeImageLayerGzip {
		t.Errorf("stored layer media type = %s", got.Layers[0].MediaType)
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	requireRoot(t)
	tampered := t.TempDir()
	ociLayout(t, tampered, makeTar(t, tarEntry{name: "oci", body: "1"}), true)
	var tamperedTar bytes.Buffer
	tw := tar.NewWriter(&tamperedTar)
	filepath.Walk(tampered, func(p string, fi os.FileInfo, err error) error {
		rel, _ := filepath.Rel(tampered, p)
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
			tw.Write(data)
		}
		return nil
	})
	tw.Close()
	sandbox := t.TempDir()
	tests := map[string]struct {
		data []byte
		want string
	}{
		"tampered layer": {tamperedTar.Bytes(), "content digest"},
		"not an archive": {makeTar(t, tarEntry{name: "x"}), "not a docker archive or OCI image layout"},
		"missing layer": {makeTar(t,
			tarEntry{name: "c.json", body: `{"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + hex64('a') + `"]}}`},
			tarEntry{name: "manifest.json", body: `[{"Config":"c.json","RepoTags":["x:1"],"Layers":["nope/layer.tar"]}]`}), "missing"},
		"traversal": {makeTar(t, tarEntry{name: "../../" + filepath.Base(sandbox) + "/evil", body: "x"}, tarEntry{name: "/" + sandbox + "/evil2", body: "x"}), "not a docker archive"},
		"symlink out": {makeTar(t,
			tarEntry{name: "blobs", typ: tar.TypeSymlink, link: sandbox},
			tarEntry{name: "blobs/evil", body: "x"}), "not a docker archive"},
		"huge manifest": {makeTar(t,
			tarEntry{name: "manifest.json", body: "[" + strings.Repeat(" ", maxArchiveJSON) + "]"}), "read manifest.json from the archive: file too large"},
		"manifest is a device": {makeTar(t,
			tarEntry{name: "manifest.json", typ: tar.TypeChar, major: 1, minor: 5}), "manifest.json in the archive is not a regular file"},
		"layer is a fifo": {makeTar(t,
			tarEntry{name: "c.json", body: `{"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + hex64('a') + `"]}}`},
			tarEntry{name: "manifest.json", body: `[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]`},
			tarEntry{name: "l.tar", typ: tar.TypeFifo}), "l.tar in the archive is not a regular file"},
		"layer named outside the archive": {makeTar(t,
			tarEntry{name: "c.json", body: `{"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + hex64('a') + `"]}}`},
			tarEntry{name: "manifest.json", body: `[{"Config":"c.json","RepoTags":["x:1"],"Layers":["../../../../../../etc/passwd"]}]`}), "is missing from the archive"},
		"malformed diff ID": {makeTar(t,
			tarEntry{name: "c.json", body: `{"os":"linux","rootfs":{"type":"layers","diff_ids":["@DIFF@"]}}`},
			tarEntry{name: "manifest.json", body: `[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]`},
			tarEntry{name: "l.tar", body: ""}), `image config: diff ID 0 "@DIFF@": invalid checksum digest format`},
		"device number beyond 12 bits": {makeTar(t,
			tarEntry{name: "loop", typ: tar.TypeBlock, major: 1<<12 + 7}), "device number 4103:0 is out of range"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, "")
			_, err := s.Load(bytes.NewReader(tt.data), LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			for _, dir := range []string{s.tmpDir(), s.blobDir(), s.imagesDir(), s.driverDir()} {
				if e := entriesUnder(t, dir); len(e) != 0 {
					t.Errorf("%s not empty: %v", dir, e)
				}
			}
			if e := entriesUnder(t, sandbox); len(e) != 0 {
				t.Errorf("wrote outside: %v", e)
			}
		})
	}
}

func TestSelectPlatform(t *testing.T) {
	m := []v1.Descriptor{
		{Digest: "sha256:a", Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}},
		{Digest: "sha256:b", Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		{Digest: "sha256:c", Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}},
		{Digest: "sha256:d"},
	}
	tests := []struct {
		arch, want string
		bad        bool
	}{
		{arch: "amd64", want: "sha256:b"},
		{arch: "arm64", want: "sha256:a"},
		{arch: "riscv64", bad: true},
	}
	for _, tt := range tests {
		got, err := selectPlatform(m, "linux", tt.arch)
		if tt.bad != (err != nil) || (!tt.bad && string(got.Digest) != tt.want) {
			t.Errorf("selectPlatform(%s) = %v, %v", tt.arch, got.Digest, err)
		}
	}
}

func TestLayoutRefName(t *testing.T) {
	tests := []struct {
		ann  map[string]string
		want string
	}{
		{map[string]string{annotationContainerdRef: "docker.io/library/busybox:latest", annotationRefName: "latest"}, "docker.io/library/busybox:latest"},
		{map[string]string{annotationRefName: "busybox:1"}, "busybox:1"},
		{map[string]string{annotationRefName: "1.0"}, ""},
		{map[string]string{annotationRefName: "Bad:Ref"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := layoutRefName(tt.ann); got != tt.want {
			t.Errorf("layoutRefName(%v) = %q, want %q", tt.ann, got, tt.want)
		}
	}
}

func TestPrune(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	base := makeTar(t, tarEntry{name: "base", body: "bbbb"})
	kept := commitLayers(t, s, "app:1", base)
	old := commitLayers(t, s, "app:2", base, makeTar(t, tarEntry{name: "old", body: "123456"}))
	used := commitLayers(t, s, "", makeTar(t, tarEntry{name: "used", body: "u"}))
	if err := s.Tag(kept.ID, "app:2"); err != nil { // old becomes dangling
		t.Fatal(err)
	}
	stale := filepath.Join(s.tmpDir(), "layer-crashed")
	os.Mkdir(stale, 0o700)
	os.Chtimes(stale, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour))
	inUse := func(id string) (string, bool) { return "c", id == used.ID }
	report, err := s.Prune(PruneOptions{InUse: inUse})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Deleted) != 2 || report.Deleted[0].Deleted != "sha256:"+old.ID || report.SpaceReclaimed != 6 {
		t.Fatalf("report = %+v", report)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Error("stale tmp entry kept")
	}
	list, _ := s.List()
	if len(list) != 2 {
		t.Fatalf("%d images left, want 2", len(list))
	}
	report, err = s.Prune(PruneOptions{All: true, InUse: inUse})
	if err != nil {
		t.Fatal(err)
	}
	if report.SpaceReclaimed != 4 {
		t.Errorf("prune -a reclaimed %d, want 4", report.SpaceReclaimed)
	}
	list, _ = s.List()
	if len(list) != 1 || list[0].ID != used.ID {
		t.Fatalf("after prune -a: %v", list)
	}
}

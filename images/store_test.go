package images

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// commitLayers stores an image made of the given layer tarballs.
func commitLayers(t testing.TB, s *Store, ref string, layers ...[]byte) *Image {
	t.Helper()
	p := newPending()
	defer p.discard()
	for _, l := range layers {
		if err := s.stageLayer(p, bytes.NewReader(l), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	var history []v1.History
	for range layers {
		history = append(history, v1.History{CreatedBy: "test layer"})
	}
	created := time.Now().UTC()
	data, err := json.Marshal(newConfig(ImageConfig{Cmd: []string{"sh"}}, p.diffIDs, history, created))
	if err != nil {
		t.Fatal(err)
	}
	p.config = data
	if ref != "" {
		named, err := parseTagReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		p.refs = []string{named.String()}
	}
	id, err := s.commit(p)
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Lookup(id.String())
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestOpenDriver(t *testing.T) {
	s := openStore(t, "")
	if s.Driver() != DriverOverlay2 {
		t.Errorf("auto driver on %s = %s, want overlay2", s.Root(), s.Driver())
	}
	if _, err := Open(t.TempDir(), Options{Driver: "btrfs"}); !errors.Is(err, ErrUnknownDriver) {
		t.Errorf("btrfs: err = %v, want ErrUnknownDriver", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "a,b"), Options{Driver: DriverOverlay2}); err == nil {
		t.Error("overlay2 root with a comma accepted")
	}
	if s := openStore(t, DriverVFS); s.Driver() != DriverVFS {
		t.Errorf("forced vfs = %s", s.Driver())
	}
}

func TestDriverForFS(t *testing.T) {
	tests := []struct {
		fs   int64
		want string
	}{
		{0xef53, DriverOverlay2},     // ext4
		{0x58465342, DriverOverlay2}, // xfs
		{0x01021994, DriverOverlay2}, // tmpfs
		{0x794c7630, DriverVFS},      // overlayfs
		{0x6969, DriverVFS},          // nfs
		{0x65735546, DriverVFS},      // fuse
	}
	for _, tt := range tests {
		if got := driverForFS(tt.fs); got != tt.want {
			t.Errorf("driverForFS(%#x) = %s, want %s", tt.fs, got, tt.want)
		}
	}
}

func TestImportBusybox(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	var progress []Progress
	img, err := s.Import(bytes.NewReader(busyboxTar(t)), "busybox", ImportOptions{
		Changes:  []string{`CMD ["sh"]`, "ENV PATH=/bin", "WORKDIR /tmp"},
		Message:  "from the test",
		Progress: func(p Progress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(img.ID) != 64 || !slices.Equal(img.RepoTags, []string{"busybox:latest"}) {
		t.Fatalf("image = %s %v", img.ID, img.RepoTags)
	}
	if !slices.Equal(img.Config.Cmd, []string{"sh"}) || img.Config.WorkingDir != "/tmp" || !slices.Equal(img.Config.Env, []string{"PATH=/bin"}) {
		t.Errorf("config = %+v", img.Config)
	}
	if len(img.Layers) != 1 || len(img.History) != 1 || img.History[0].Comment != "from the test" {
		t.Errorf("layers %v history %+v", img.Layers, img.History)
	}
	fi, _ := os.Stat("/bin/busybox")
	if img.Size < fi.Size() {
		t.Errorf("size %d < busybox's %d", img.Size, fi.Size())
	}
	if len(progress) == 0 || progress[len(progress)-1].Action != "Done" {
		t.Errorf("progress = %v", progress)
	}
	for _, name := range []string{"busybox", "busybox:latest", "docker.io/library/busybox:latest", img.ID, "sha256:" + img.ID, img.ID[:12], "sha256:" + img.ID[:5]} {
		got, err := s.Lookup(name)
		if err != nil || got.ID != img.ID {
			t.Errorf("Lookup(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := s.Lookup("busybox:other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup(busybox:other) err = %v", err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	// The layer is unpacked once, with busybox and its applets.
	chain := filepath.Join(s.diffDir(digestOf(t, img.Layers[0])), "bin")
	if target, err := os.Readlink(filepath.Join(chain, "sh")); err != nil || target != "busybox" {
		t.Errorf("bin/sh -> %q, %v", target, err)
	}
	if entries := entriesUnder(t, s.tmpDir()); len(entries) != 0 {
		t.Errorf("tmp/ not empty: %v", entries)
	}
}

func TestImportCompressed(t *testing.T) {
	requireRoot(t)
	layer := makeTar(t, tarEntry{name: "hello", body: "world"})
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(layer)
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(layer)
	zw.Close()
	s := openStore(t, "")
	var ids []string
	for name, data := range map[string][]byte{"plain": layer, "gzip": gz.Bytes(), "zstd": zs.Bytes()} {
		img, err := s.Import(bytes.NewReader(data), "", ImportOptions{Message: "same"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids = append(ids, img.Layers[0])
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("diff IDs differ across compressions: %v", ids)
	}
}

func TestImportFailureLeavesNothing(t *testing.T) {
	requireRoot(t)
	good := busyboxTar(t)
	tests := map[string]struct {
		data    []byte
		ref     string
		changes []string
	}{
		"truncated tar": {data: good[:len(good)/2], ref: "x"},
		"garbage":       {data: bytes.Repeat([]byte("not a tar "), 100), ref: "x"},
		"bad gzip":      {data: append([]byte{0x1f, 0x8b}, good[:1000]...), ref: "x"},
		"hard link out": {data: makeTar(t, tarEntry{name: "h", typ: tar.TypeLink, link: "/etc/passwd"}), ref: "x"},
		"bad reference": {data: good, ref: "Bad:Ref"},
		"bad change":    {data: good, ref: "x", changes: []string{"RUN rm -rf /"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, "")
			if _, err := s.Import(bytes.NewReader(tt.data), tt.ref, ImportOptions{Changes: tt.changes}); err == nil {
				t.Fatal("import succeeded")
			}
			for _, dir := range []string{s.tmpDir(), s.blobDir(), s.imagesDir(), s.driverDir()} {
				if e := entriesUnder(t, dir); len(e) != 0 {
					t.Errorf("%s not empty: %v", dir, e)
				}
			}
			if _, err := os.Stat(s.refsPath()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("references written: %v", err)
			}
		})
	}
}

func TestTagRetagLeavesDangling(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	a := commitLayers(t, s, "app:1", makeTar(t, tarEntry{name: "a", body: "1"}))
	b := commitLayers(t, s, "", makeTar(t, tarEntry{name: "b", body: "2"}))
	if !b.Dangling() {
		t.Fatalf("b tags = %v", b.RepoTags)
	}
	if err := s.Tag(a.ID[:12], "app:2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag("app:1", "registry.local:5000/team/app:1"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Lookup(a.ID)
	if want := []string{"app:1", "app:2", "registry.local:5000/team/app:1"}; !slices.Equal(got.RepoTags, want) {
		t.Fatalf("tags = %v, want %v", got.RepoTags, want)
	}
	// Moving app:1 and app:2 and the registry tag to b leaves a dangling.
	for _, ref := range []string{"app:1", "app:2", "registry.local:5000/team/app:1"} {
		if err := s.Tag(b.ID, ref); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Lookup(a.ID); !got.Dangling() {
		t.Errorf("a tags = %v, want dangling", got.RepoTags)
	}
	if err := s.Tag("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("tag of a missing image: %v", err)
	}
	if err := s.Tag(b.ID, "Bad Ref"); !errors.Is(err, ErrInvalidReference) {
		t.Errorf("bad ref: %v", err)
	}
}

func TestLookupAmbiguousPrefix(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	seen := map[byte]string{}
	for i := 0; ; i++ {
		img := commitLayers(t, s, "", makeTar(t, tarEntry{name: fmt.Sprint(i), body: "x"}))
		if other, ok := seen[img.ID[0]]; ok {
			if _, err := s.Lookup(img.ID[:1]); !errors.Is(err, ErrAmbiguous) {
				t.Fatalf("Lookup(%s) with %s and %s: %v", img.ID[:1], img.ID, other, err)
			}
			return
		}
		seen[img.ID[0]] = img.ID
	}
}

func TestRemoveSemantics(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	base := makeTar(t, tarEntry{name: "base", body: "b"})
	img := commitLayers(t, s, "app:1", base, makeTar(t, tarEntry{name: "top", body: "t"}))
	other := commitLayers(t, s, "other", base)
	if err := s.Tag("app:1", "app:2"); err != nil {
		t.Fatal(err)
	}
	// By ID with two tags: refused without force.
	if _, err := s.Remove(img.ID, RemoveOptions{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("rmi by ID with two tags: %v", err)
	}
	// By one of two tags: untag only.
	del, err := s.Remove("app:2", RemoveOptions{})
	if err != nil || len(del) != 1 || del[0].Untagged != "app:2" {
		t.Fatalf("rmi app:2 = %v, %v", del, err)
	}
	// The last tag of an image in use: refused, naming the container.
	inUse := func(id string) (string, bool) { return "web", id == img.ID }
	if _, err := s.Remove("app:1", RemoveOptions{InUse: inUse}); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "web") {
		t.Fatalf("rmi of an image in use: %v", err)
	}
	if _, err := s.Lookup("app:1"); err != nil {
		t.Fatalf("refused rmi changed the store: %v", err)
	}
	// Forced: untagged and deleted; the top layer goes, the shared base stays.
	del, err = s.Remove("app:1", RemoveOptions{InUse: inUse, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Deleted{{Untagged: "app:1"}, {Deleted: "sha256:" + img.ID}}
	if len(del) != 3 || !slices.Equal(del[:2], want) {
		t.Fatalf("deleted = %v, want %v and the top layer", del, want)
	}
	if _, err := s.Lookup(img.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("image still there: %v", err)
	}
	got, err := s.Lookup("other")
	if err != nil || got.ID != other.ID {
		t.Fatalf("other image: %v %v", got, err)
	}
	if !s.hasLayer(digestOf(t, other.Layers[0])) {
		t.Fatal("shared base layer removed")
	}
	if _, err := s.Remove("app:1", RemoveOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second rmi: %v", err)
	}
	// Last image: everything goes.
	if _, err := s.Remove("other", RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{s.blobDir(), s.imagesDir(), s.driverDir()} {
		if e := entriesUnder(t, dir); len(e) != 0 {
			t.Errorf("%s not empty: %v", dir, e)
		}
	}
}

func TestConcurrentTag(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	img := commitLayers(t, s, "", makeTar(t, tarEntry{name: "a", body: "1"}))
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Tag(img.ID, fmt.Sprintf("app:%d", i))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Lookup(img.ID)
	if err != nil || len(got.RepoTags) != 40 {
		t.Fatalf("tags after 40 concurrent Tag calls: %d, %v", len(got.RepoTags), err)
	}
}

func TestRemoveByDigestReference(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	img := commitLayers(t, s, "app:1", makeTar(t, tarEntry{name: "a", body: "1"}))
	digestRef := "app@sha256:" + hex64('c')
	addDigestRef := func() {
		unlock, err := s.lock()
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		refs, _ := s.readRefs()
		named, _ := ParseReference(digestRef)
		refs[named.String()] = digestOf(t, "sha256:"+img.ID)
		if err := s.writeRefs(refs); err != nil {
			t.Fatal(err)
		}
	}
	addDigestRef()
	if got, _ := s.Lookup(digestRef); got == nil || got.ID != img.ID || len(got.RepoDigests) != 1 {
		t.Fatalf("lookup by digest: %+v", got)
	}
	// By digest while a tag remains: only the digest goes.
	del, err := s.Remove(digestRef, RemoveOptions{})
	if err != nil || len(del) != 1 || del[0].Untagged != digestRef {
		t.Fatalf("rmi by digest = %v, %v", del, err)
	}
	// By the last tag: the image goes, digests with it, as after a pull.
	addDigestRef()
	del, err = s.Remove("app:1", RemoveOptions{})
	if err != nil || len(del) < 3 || del[2].Deleted != "sha256:"+img.ID {
		t.Fatalf("rmi by the last tag = %v, %v", del, err)
	}
	if _, err := s.Lookup(img.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("image left: %v", err)
	}
}

// TestConcurrentTagAcrossProcesses races four processes (this test binary
// re-run as a helper) tagging one image: every tag must survive.
func TestConcurrentTagAcrossProcesses(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	img := commitLayers(t, s, "", makeTar(t, tarEntry{name: "a", body: "1"}))
	var cmds []*exec.Cmd
	for p := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTagHelperProcess$")
		cmd.Env = append(os.Environ(), "BERTH_IMAGES_TAG_HELPER="+s.Root(), fmt.Sprintf("BERTH_IMAGES_TAG_PREFIX=p%d", p), "BERTH_IMAGES_TAG_ID="+img.ID)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
	}
	got, err := s.Lookup(img.ID)
	if err != nil || len(got.RepoTags) != 80 {
		t.Fatalf("%d tags after 4 processes tagged 20 each, %v", len(got.RepoTags), err)
	}
}

// TestTagHelperProcess is the helper of TestConcurrentTagAcrossProcesses.
func TestTagHelperProcess(t *testing.T) {
	root := os.Getenv("BERTH_IMAGES_TAG_HELPER")
	if root == "" {
		return // only meaningful as the helper process
	}
	s, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := s.Tag(os.Getenv("BERTH_IMAGES_TAG_ID"), fmt.Sprintf("%s:%d", os.Getenv("BERTH_IMAGES_TAG_PREFIX"), i)); err != nil {
			t.Fatal(err)
		}
	}
}

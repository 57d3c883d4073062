package images

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

func TestRefsFromRecords(t *testing.T) {
	a := digest.Digest("sha256:" + strings.Repeat("a", 64))
	b := digest.Digest("sha256:" + strings.Repeat("b", 64))
	tests := []struct {
		name    string
		named   map[digest.Digest][]string
		modTime map[digest.Digest]int64
		want    map[string]digest.Digest
	}{
		{"none", nil, nil, map[string]digest.Digest{}},
		{"one each",
			map[digest.Digest][]string{a: {"docker.io/library/busybox:latest", "docker.io/library/busybox@sha256:" + strings.Repeat("c", 64)}, b: {"example.com/app:1"}},
			nil,
			map[string]digest.Digest{"docker.io/library/busybox:latest": a, "docker.io/library/busybox@sha256:" + strings.Repeat("c", 64): a, "example.com/app:1": b}},
		{"both claim a tag: the record written last wins",
			map[digest.Digest][]string{a: {"docker.io/library/app:1"}, b: {"docker.io/library/app:1"}},
			map[digest.Digest]int64{a: 20, b: 10},
			map[string]digest.Digest{"docker.io/library/app:1": a}},
		{"not normalised or not a reference: left out",
			map[digest.Digest][]string{a: {"busybox", "docker.io/library/ok:1", "Not A Ref", ""}},
			nil,
			map[string]digest.Digest{"docker.io/library/ok:1": a}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := refsFromRecords(tc.named, tc.modTime)
			if len(got) != len(tc.want) {
				t.Fatalf("refsFromRecords = %v, want %v", got, tc.want)
			}
			for ref, id := range tc.want {
				if got[ref] != id {
					t.Errorf("refsFromRecords[%s] = %s, want %s", ref, got[ref], id)
				}
			}
		})
	}
}

func TestCheckRefs(t *testing.T) {
	id := digest.Digest("sha256:" + strings.Repeat("a", 64))
	tests := []struct {
		name string
		refs map[string]digest.Digest
		ok   bool
	}{
		{"empty", nil, true},
		{"good", map[string]digest.Digest{"docker.io/library/busybox:latest": id}, true},
		{"short ID", map[string]digest.Digest{"docker.io/library/busybox:latest": "sha256:abc"}, false},
		{"not hex", map[string]digest.Digest{"docker.io/library/busybox:latest": digest.Digest("sha256:" + strings.Repeat("z", 64))}, false},
		{"no algorithm", map[string]digest.Digest{"docker.io/library/busybox:latest": digest.Digest(strings.Repeat("a", 64))}, false},
		{"empty reference", map[string]digest.Digest{"": id}, false},
	}
	for _, tc := range tests {
		if err := checkRefs(tc.refs); (err == nil) != tc.ok {
			t.Errorf("%s: checkRefs = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// truncateFile cuts a file in half in place, as a failing disk might.
func truncateFile(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// storeContent lists the blobs and layers of s, for "all reclaimed" checks.
func storeContent(t *testing.T, s *Store) []string {
	t.Helper()
	return append(entriesUnder(t, s.blobDir()), entriesUnder(t, s.layersDir())...)
}

// TestDamagedImageIsSetAside damages one of two images in each way: the
// other stays listed and usable, garbage collection spares what the damaged
// one may use, and removing it takes everything of it back.
func TestDamagedImageIsSetAside(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name   string
		file   func(s *Store, img *Image) string
		remove bool // remove the file instead of truncating it
		listed bool // List still shows it: a manifest is not read to list
	}{
		{"record truncated", func(s *Store, img *Image) string {
			return s.imagePath(digest.NewDigestFromEncoded(digest.SHA256, img.ID))
		}, false, false},
		{"config truncated", func(s *Store, img *Image) string {
			return s.blobPath(digest.NewDigestFromEncoded(digest.SHA256, img.ID))
		}, false, false},
		{"config missing", func(s *Store, img *Image) string {
			return s.blobPath(digest.NewDigestFromEncoded(digest.SHA256, img.ID))
		}, true, false},
		{"manifest truncated", func(s *Store, img *Image) string { return s.blobPath(img.Manifest.Digest) }, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, DriverVFS)
			good := commitLayers(t, s, "good:1", makeTar(t, tarEntry{name: "good", body: "good"}))
			before := storeContent(t, s)
			bad := commitLayers(t, s, "bad:1", makeTar(t, tarEntry{name: "bad", body: "bad"}))
			if _, err := s.CreateRootfs("user-of-bad", bad.ID); err != nil {
				t.Fatal(err)
			}
			path := tc.file(s, bad)
			if tc.remove {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			} else {
				truncateFile(t, path)
			}

			inv, err := s.Inventory()
			if err != nil {
				t.Fatalf("Inventory: %v", err)
			}
			var listed []string
			for _, img := range inv.Images {
				listed = append(listed, img.ID)
			}
			if !slices.Contains(listed, good.ID) || slices.Contains(listed, bad.ID) != tc.listed {
				t.Errorf("Inventory lists %v; want %s, and %s: %v", listed, good.ID[:12], bad.ID[:12], tc.listed)
			}
			if !tc.listed && (len(inv.Damaged) != 1 || inv.Damaged[0].ID != bad.ID || !slices.Equal(inv.Damaged[0].Refs, []string{"bad:1"})) {
				t.Errorf("Inventory.Damaged = %+v, want %s (bad:1)", inv.Damaged, bad.ID[:12])
			}
			if _, err := s.Lookup("bad:1"); !tc.listed && !errors.Is(err, ErrDamaged) {
				t.Errorf("Lookup of the damaged image: %v, want ErrDamaged", err)
			}
			// A container of the good image comes and goes; the damaged
			// image's layer is spared by the collection that follows.
			if _, err := s.CreateRootfs("user-of-good", good.ID); err != nil {
				t.Fatalf("CreateRootfs of the good image: %v", err)
			}
			if err := s.RemoveRootfs("user-of-good"); err != nil {
				t.Fatalf("RemoveRootfs of the good image's container: %v", err)
			}
			if err := s.RemoveRootfs("user-of-bad"); err != nil {
				t.Fatalf("RemoveRootfs of the damaged image's container: %v", err)
			}
			if _, err := s.Remove("bad:1", RemoveOptions{Force: true}); err != nil {
				t.Fatalf("Remove of the damaged image: %v", err)
			}
			if after := storeContent(t, s); !slices.Equal(after, before) {
				t.Errorf("after removing the damaged image, the store holds %v, want %v", after, before)
			}
		})
	}
}

// TestReferencesRebuilt damages repositories.json: reading rebuilds it from
// the image records, writes it when the lock is free, and warns once.
func TestReferencesRebuilt(t *testing.T) {
	requireRoot(t)
	var warnings []string
	s, err := Open(filepath.Join(t.TempDir(), "image"), Options{Driver: DriverVFS, Warn: func(msg string) { warnings = append(warnings, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	img := commitLayers(t, s, "app:1", makeTar(t, tarEntry{name: "f", body: "x"}))
	if err := s.Tag("app:1", "app:2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag("app:1", "other/app:3"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove("app:2", RemoveOptions{}); err != nil { // untags only
		t.Fatal(err)
	}
	want := []string{"app:1", "other/app:3"}

	// While a writer holds the lock, the rebuild stays in memory.
	truncateFile(t, s.refsPath())
	unlock, err := s.lock()
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup("app:1")
	unlock()
	if err != nil || !slices.Equal(got.RepoTags, want) {
		t.Fatalf("Lookup with the index damaged and locked = %v, %v; want tags %v", got, err, want)
	}
	if _, err := s.readRefsFile(); err == nil {
		t.Errorf("the index was written while another held the lock")
	}
	// Free: the rebuild is written, and told only once.
	for range 3 {
		if got, err = s.Lookup(img.ID); err != nil || !slices.Equal(got.RepoTags, want) {
			t.Fatalf("Lookup with the index damaged = %v, %v; want tags %v", got, err, want)
		}
	}
	if refs, err := s.readRefsFile(); err != nil || len(refs) != 2 {
		t.Errorf("index after the rebuild: %v, %v; want 2 references", refs, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "rebuilt 2 references from 1 image records") {
		t.Errorf("warnings = %q, want one telling of the rebuild", warnings)
	}
}

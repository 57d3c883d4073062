package images

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"

	"berth/internal/testenv"
)

func TestStillVerified(t *testing.T) {
	verified := blobIdentity{Dev: 2049, Ino: 77, Size: 4096, Mtime: 1000, Ctime: 2000}
	tests := []struct {
		name       string
		remembered *blobIdentity
		now        func(blobIdentity) blobIdentity
		want       bool
	}{
		{"never verified", nil, func(id blobIdentity) blobIdentity { return id }, false},
		{"unchanged", &verified, func(id blobIdentity) blobIdentity { return id }, true},
		{"written in place: change time moved", &verified, func(id blobIdentity) blobIdentity { id.Ctime++; return id }, false},
		{"written, modification time put back", &verified, func(id blobIdentity) blobIdentity { id.Ctime += 5; return id }, false},
		{"modified", &verified, func(id blobIdentity) blobIdentity { id.Mtime++; id.Ctime++; return id }, false},
		{"truncated", &verified, func(id blobIdentity) blobIdentity { id.Size /= 2; return id }, false},
		{"replaced by another file", &verified, func(id blobIdentity) blobIdentity { id.Ino++; return id }, false},
		{"moved to another filesystem", &verified, func(id blobIdentity) blobIdentity { id.Dev++; return id }, false},
	}
	for _, tc := range tests {
		if got := stillVerified(tc.remembered, tc.now(verified)); got != tc.want {
			t.Errorf("%s: stillVerified = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// wantDamagedBlob fails unless err is a DamagedBlobError naming blob and image.
func wantDamagedBlob(t *testing.T, what string, err error, blob digest.Digest, image string) {
	t.Helper()
	var dbe *DamagedBlobError
	if !errors.As(err, &dbe) || dbe.Blob != blob || dbe.Image != image || !errors.Is(err, ErrDamaged) {
		t.Errorf("%s: %v; want blob %s of image %s damaged", what, err, blob, image)
	}
}

// TestDamagedBlobIsRefused damages an image's config or a layer blob:
// every use of it fails naming the blob and the image, check reports it,
// and a good image beside it is unaffected.
func TestDamagedBlobIsRefused(t *testing.T) {
	requireRoot(t)
	host := testRegistry(t, nil)
	tests := []struct {
		name   string
		config bool // damage the config; otherwise the layer blob
		damage func(t *testing.T, path string)
	}{
		{"config byte flipped", true, func(t *testing.T, p string) { testenv.FlipByte(t, p, 10) }},
		{"layer byte flipped", false, func(t *testing.T, p string) { testenv.FlipByte(t, p, 512) }},
		{"layer truncated", false, truncateFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, DriverVFS)
			good := commitLayers(t, s, "good:1", makeTar(t, tarEntry{name: "good", body: "good"}))
			bad := commitLayers(t, s, "bad:1", makeTar(t, tarEntry{name: "bad", body: strings.Repeat("bad", 1000)}))
			blob := digest.NewDigestFromEncoded(digest.SHA256, bad.ID)
			if !tc.config {
				blob = digest.Digest(bad.Layers[0]) // uncompressed: the blob is the diff
			}
			tc.damage(t, s.blobPath(blob))

			if tc.config {
				_, err := s.Lookup("bad:1")
				wantDamagedBlob(t, "Lookup", err, blob, "bad:1")
			} else {
				// Unpacked already: a container is made without reading
				// the blob. Unpacking again reads it, and refuses it.
				if _, err := s.CreateRootfs("c1", bad.ID); err != nil {
					t.Errorf("CreateRootfs over the unpacked layer: %v", err)
				}
				chain := identity.ChainID([]digest.Digest{blob})
				if err := os.RemoveAll(s.layerDir(chain)); err != nil {
					t.Fatal(err)
				}
				_, err := s.CreateRootfs("c2", bad.ID)
				wantDamagedBlob(t, "CreateRootfs unpacking the blob", err, blob, "bad:1")
				if s.hasLayer(chain) || len(entriesUnder(t, s.tmpDir())) != 0 {
					t.Errorf("a refused unpack left a layer or files in tmp: %v", entriesUnder(t, s.tmpDir()))
				}
			}
			var out bytes.Buffer
			err := s.Save(&out, []string{"good:1", "bad:1"}, SaveOptions{})
			wantDamagedBlob(t, "Save", err, blob, "bad:1")
			if out.Len() != 0 {
				t.Errorf("Save wrote %d bytes before it failed", out.Len())
			}
			_, err = s.Push(context.Background(), "bad:1", host+"/bad:1", PushOptions{Registry: regOpts()})
			wantDamagedBlob(t, "Push", err, blob, "bad:1")

			found, err := s.Check()
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].Kind != DamageImage || found[0].ID != bad.ID || !strings.Contains(found[0].Problem, blob.String()) {
				t.Errorf("Check found %+v, want image %s with blob %s", found, bad.ID[:12], blob)
			}
			if err := s.Save(&bytes.Buffer{}, []string{"good:1"}, SaveOptions{}); err != nil {
				t.Errorf("Save of the good image: %v", err)
			}
			if _, err := s.CreateRootfs("c3", good.ID); err != nil {
				t.Errorf("CreateRootfs of the good image: %v", err)
			}
		})
	}
}

// TestVerifiedBlobNotHashedAgain: a blob whose identity is unchanged since
// it was verified is taken as verified; any write to it is seen.
func TestVerifiedBlobNotHashedAgain(t *testing.T) {
	requireRoot(t)
	s := openStore(t, DriverVFS)
	img := commitLayers(t, s, "app:1", makeTar(t, tarEntry{name: "f", body: strings.Repeat("x", 4096)}))
	blob := digest.Digest(img.Layers[0])
	if _, err := os.Stat(s.verifiedPath(blob)); err != nil {
		t.Fatalf("a committed blob is not remembered as verified: %v", err)
	}
	if err := s.verifyBlob(blob); err != nil {
		t.Fatal(err)
	}
	// Remember the damaged file's identity as verified: it is trusted.
	testenv.FlipByte(t, s.blobPath(blob), 600)
	fi, err := os.Stat(s.blobPath(blob))
	if err != nil {
		t.Fatal(err)
	}
	s.rememberVerified(blob, fi)
	if err := s.verifyBlob(blob); err != nil {
		t.Errorf("verifyBlob of a blob remembered as verified hashed it: %v", err)
	}
	// Written again: its change time moves, and it is hashed.
	testenv.FlipByte(t, s.blobPath(blob), 601)
	if err := s.verifyBlob(blob); err == nil {
		t.Errorf("verifyBlob of a blob written since it was verified: no error")
	}
	if _, err := os.Stat(s.verifiedPath(blob)); err == nil {
		t.Errorf("a blob found damaged is still remembered as verified")
	}
}

// TestHalfUnpackedLayer: a layer directory without its marker (an unpack
// cut short) is reported by check and unpacked again from its blob when a
// container needs it; repair removes it unless a container sits on it.
func TestHalfUnpackedLayer(t *testing.T) {
	requireRoot(t)
	s := openStore(t, DriverOverlay2)
	img := commitLayers(t, s, "app:1", makeTar(t, tarEntry{name: "a", body: "a"}, tarEntry{name: "b", body: "b"}))
	chain := identity.ChainID([]digest.Digest{digest.Digest(img.Layers[0])})
	half := func() {
		t.Helper()
		for _, p := range []string{filepath.Join(s.layerDir(chain), layerMarker), filepath.Join(s.diffDir(chain), "b")} {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	half()
	found, err := s.Check()
	if err != nil {
		t.Fatal(err)
	}
	wantID := DriverOverlay2 + "/" + chain.Encoded()
	if len(found) != 1 || found[0].Kind != DamageLayer || found[0].ID != wantID {
		t.Fatalf("Check found %+v, want layer %s", found, wantID)
	}
	if _, err := s.CreateRootfs("c1", img.ID); err != nil {
		t.Fatalf("CreateRootfs over a half-unpacked layer: %v", err)
	}
	if got := entriesUnder(t, s.diffDir(chain)); !slices.Equal(got, []string{"a", "b"}) || !s.hasLayer(chain) {
		t.Errorf("layer after CreateRootfs holds %v (marked %v), want it whole again", got, s.hasLayer(chain))
	}
	// Cut short again under the container: repair leaves it.
	half()
	if err := s.Repair(Damage{Kind: DamageLayer, ID: wantID}); err == nil || !strings.Contains(err.Error(), "c1") {
		t.Errorf("Repair of a layer a container sits on: %v, want it refused naming c1", err)
	}
	if err := s.RemoveRootfs("c1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Repair(Damage{Kind: DamageLayer, ID: wantID}); err != nil {
		t.Errorf("Repair: %v", err)
	}
	if found, err := s.Check(); err != nil || len(found) != 0 {
		t.Errorf("Check after repair: %+v, %v", found, err)
	}
}

// TestEarlierLayersMarked: a store whose layers were unpacked before
// markers existed gets them when opened, once, instead of unpacking again
// what containers may be running on.
func TestEarlierLayersMarked(t *testing.T) {
	requireRoot(t)
	s := openStore(t, DriverOverlay2)
	img := commitLayers(t, s, "app:1", makeTar(t, tarEntry{name: "a", body: "a"}))
	chain := identity.ChainID([]digest.Digest{digest.Digest(img.Layers[0])})
	for _, p := range []string{s.layerMarkerPath(chain), s.layersMarkedPath()} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	half := filepath.Join(s.driverDir(), strings.Repeat("5d", 32)) // no diff: not whole
	if err := os.Mkdir(half, 0o700); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Root(), Options{Driver: DriverOverlay2})
	if err != nil {
		t.Fatal(err)
	}
	if !s2.hasLayer(chain) {
		t.Errorf("the earlier layer was not marked")
	}
	if _, err := os.Stat(filepath.Join(half, layerMarker)); err == nil {
		t.Errorf("a layer directory without its diff was marked")
	}
	// Once: a marker lost later is not given back.
	if err := os.Remove(s.layerMarkerPath(chain)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.Root(), Options{Driver: DriverOverlay2}); err != nil {
		t.Fatal(err)
	}
	if s2.hasLayer(chain) {
		t.Errorf("a marker was given again after the store was marked")
	}
}

// TestPullOrLoadAgainHeals: pulling or loading an image again replaces
// its damaged config or layer blob with a good copy.
func TestPullOrLoadAgainHeals(t *testing.T) {
	requireRoot(t)
	host := testRegistry(t, nil)
	src := openStore(t, DriverVFS)
	img := commitLayers(t, src, "app:1", makeTar(t, tarEntry{name: "f", body: strings.Repeat("x", 4096)}))
	if _, err := src.Push(context.Background(), "app:1", host+"/app:1", PushOptions{Registry: regOpts()}); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := src.Save(&archive, []string{"app:1"}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	config := digest.NewDigestFromEncoded(digest.SHA256, img.ID)
	layer := digest.Digest(img.Layers[0])
	again := map[string]func(s *Store) error{
		"pull": func(s *Store) error {
			_, err := s.Pull(context.Background(), host+"/app:1", PullOptions{Registry: regOpts()})
			return err
		},
		"load": func(s *Store) error {
			_, err := s.Load(bytes.NewReader(archive.Bytes()), LoadOptions{})
			return err
		},
	}
	for name, fetch := range again {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, DriverVFS)
			if err := fetch(s); err != nil {
				t.Fatal(err)
			}
			testenv.FlipByte(t, s.blobPath(config), 10)
			testenv.FlipByte(t, s.blobPath(layer), 600)
			if err := fetch(s); err != nil {
				t.Fatalf("%s again: %v", name, err)
			}
			if err := s.verifyImage(config); err != nil {
				t.Errorf("after %s again: %v", name, err)
			}
		})
	}
}

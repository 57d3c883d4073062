package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"berth/internal/atomicfile"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// The layer store keeps one unpacked directory per chain ID and driver:
// layers/<driver>/<chain hex>/diff. overlay2 layers hold only their own
// changes, with whiteouts in overlay's form, and are stacked as lowerdirs;
// vfs layers are full copies of the filesystem up to that layer. Layers are
// unpacked under tmp/ and renamed into place under the lock. Nothing counts
// references: garbage collection keeps what some image or container uses.

// unpackLayer unpacks the uncompressed layer tar r into a new directory
// under tmp/; for vfs it starts as a copy of parentDiff ("" for a base
// layer). The caller commits it with commitLayer or removes it.
func (s *Store) unpackLayer(r io.Reader, parentDiff string) (string, int64, error) {
	dir, err := s.mkdirTemp("layer")
	if err != nil {
		return "", 0, fmt.Errorf("unpack layer: %w", err)
	}
	size, err := s.unpackInto(dir, r, parentDiff)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", 0, fmt.Errorf("unpack layer: %w", err)
	}
	return dir, size, nil
}

func (s *Store) unpackInto(dir string, r io.Reader, parentDiff string) (int64, error) {
	diff := filepath.Join(dir, "diff")
	mode := whiteoutOverlay
	if s.driver == DriverVFS {
		mode = whiteoutDelete
	}
	if mode == whiteoutDelete && parentDiff != "" {
		if err := copyTree(parentDiff, diff); err != nil {
			return 0, err
		}
	} else if err := os.Mkdir(diff, 0o755); err != nil {
		return 0, err
	}
	return applyLayer(diff, r, mode)
}

// layerMarker is the file, in a layer directory, whose presence says the
// layer is whole. It is written, synced, after the layer's content was made
// durable and before the directory is renamed into place; a layer
// directory without it (its content cut short by a crash, as the disk
// kept it) is not used but unpacked again from its blob, and replaced.
const layerMarker = "complete"

func (s *Store) layerMarkerPath(chain digest.Digest) string {
	return filepath.Join(s.layerDir(chain), layerMarker)
}

// layersMarkedPath is the stamp saying the layers of this store carry
// markers: those unpacked before markers existed were given theirs.
func (s *Store) layersMarkedPath() string { return filepath.Join(s.root, "layers-marked") }

// markEarlierLayers gives each layer directory unpacked before markers
// existed its marker, once per store. Those directories were renamed into
// place whole, so they are as trustworthy as they were; unpacking them
// again instead would pull them from under the containers running on them.
func (s *Store) markEarlierLayers() error {
	if _, err := os.Stat(s.layersMarkedPath()); err == nil {
		return nil
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	drivers, err := os.ReadDir(s.layersDir())
	if err != nil {
		return fmt.Errorf("mark layers: %w", err)
	}
	for _, drv := range drivers {
		dir := filepath.Join(s.layersDir(), drv.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("mark layers: %w", err)
		}
		for _, e := range entries {
			layer := filepath.Join(dir, e.Name())
			if len(e.Name()) != 64 || !isHex(e.Name()) {
				continue
			}
			if _, err := os.Stat(filepath.Join(layer, layerMarker)); err == nil {
				continue
			}
			if fi, err := os.Stat(filepath.Join(layer, "diff")); err != nil || !fi.IsDir() {
				continue // not whole: system check reports it
			}
			chain := digest.NewDigestFromEncoded(digest.SHA256, e.Name())
			if err := atomicfile.WriteFile(filepath.Join(layer, layerMarker), []byte(chain.String()+"\n"), 0o600); err != nil {
				return fmt.Errorf("mark layer %s: %w", e.Name(), err)
			}
		}
	}
	return atomicfile.WriteFile(s.layersMarkedPath(), nil, 0o600)
}

// commitLayer moves an unpacked layer, whose content the caller has made
// durable, to its chain ID; the caller holds the lock. A whole layer
// already there is kept and the new copy dropped; one without its marker
// is replaced.
func (s *Store) commitLayer(dir string, chain digest.Digest) error {
	if s.hasLayer(chain) {
		return os.RemoveAll(dir)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, layerMarker), []byte(chain.String()+"\n"), 0o600); err != nil {
		return fmt.Errorf("commit layer %s: %w", chain.Encoded(), err)
	}
	final := s.layerDir(chain)
	if _, err := os.Lstat(final); err == nil {
		trash, err := os.MkdirTemp(s.tmpDir(), "removing-")
		if err != nil {
			return fmt.Errorf("commit layer %s: %w", chain.Encoded(), err)
		}
		defer func() { _ = os.RemoveAll(trash) }() // scratch space under tmp/
		if err := os.Rename(final, filepath.Join(trash, "layer")); err != nil {
			return fmt.Errorf("commit layer %s: replace incomplete layer: %w", chain.Encoded(), err)
		}
	}
	if err := os.Rename(dir, final); err != nil {
		return fmt.Errorf("commit layer %s: %w", chain.Encoded(), err)
	}
	if err := syncDir(s.driverDir()); err != nil {
		return fmt.Errorf("commit layer %s: %w", chain.Encoded(), err)
	}
	return nil
}

// hasLayer reports whether the layer is unpacked whole for this driver.
func (s *Store) hasLayer(chain digest.Digest) bool {
	_, err := os.Stat(s.layerMarkerPath(chain))
	return err == nil
}

func (s *Store) readManifest(d digest.Digest) (*v1.Manifest, error) {
	data, err := os.ReadFile(s.blobPath(d))
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w: %w", d, ErrDamaged, err)
	}
	if digest.FromBytes(data) != d {
		return nil, fmt.Errorf("read manifest %s: %w", d, &DamagedBlobError{Blob: d})
	}
	var m v1.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w: %w", d, ErrDamaged, err)
	}
	return &m, nil
}

// ensureLayers makes sure every layer of the image is unpacked for the
// current driver, unpacking missing ones from their blobs; the caller
// holds the lock. It returns the image's chain IDs, bottom first.
func (s *Store) ensureLayers(id digest.Digest) ([]digest.Digest, error) {
	rec, err := s.readRecord(id)
	if err != nil {
		return nil, err
	}
	cfg, err := s.readConfig(id)
	if err != nil {
		return nil, err
	}
	chains := identity.ChainIDs(append([]digest.Digest{}, cfg.RootFS.DiffIDs...))
	var manifest *v1.Manifest
	for i, chain := range chains {
		if s.hasLayer(chain) {
			continue
		}
		if manifest == nil {
			if manifest, err = s.readManifest(rec.Manifest.Digest); err != nil {
				return nil, err
			}
			if len(manifest.Layers) != len(chains) {
				return nil, fmt.Errorf("image %s: manifest has %d layers, config %d", id.Encoded(), len(manifest.Layers), len(chains))
			}
		}
		var parent digest.Digest
		if i > 0 {
			parent = chains[i-1]
		}
		if err := s.unpackBlob(manifest.Layers[i].Digest, parent, chain); err != nil {
			return nil, fmt.Errorf("image %s: %w", id.Encoded(), err)
		}
	}
	return chains, nil
}

// unpackBlob unpacks a stored layer blob as chain on top of parent,
// checking the blob against its digest as it is read: a layer from a
// damaged blob is never committed.
func (s *Store) unpackBlob(blob, parent, chain digest.Digest) error {
	var parentDiff string
	if parent != "" {
		parentDiff = s.diffDir(parent)
	}
	f, err := s.openBlob(blob)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat() // the identity before reading: a write while it is read changes it
	if err != nil {
		return fmt.Errorf("layer %s: %w", blob, err)
	}
	vr := newVerifyingReader(f, blob)
	r, err := decompress(vr)
	if err != nil {
		if verr := vr.check(); verr != nil {
			return verr
		}
		return fmt.Errorf("layer %s: %w", blob, err)
	}
	defer func() { _ = r.Close() }()
	dir, _, err := s.unpackLayer(r, parentDiff)
	if verr := vr.check(); verr != nil {
		if dir != "" {
			_ = os.RemoveAll(dir) // best effort; verr is what failed
		}
		return verr
	}
	if err != nil {
		return fmt.Errorf("layer %s: %w", blob, err)
	}
	s.rememberVerified(blob, fi)
	if err := syncFS(dir); err != nil {
		_ = os.RemoveAll(dir)
		return fmt.Errorf("layer %s: sync: %w", blob, err)
	}
	if err := s.commitLayer(dir, chain); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	return nil
}

// usage is what the images and containers in the store use. A record
// that cannot be read hides what it uses: then chainsKnown or blobsKnown
// is false, and garbage collection keeps every layer or blob, until the
// damaged image or container is removed.
type usage struct {
	chains      map[digest.Digest]bool
	blobs       map[digest.Digest]bool
	chainsKnown bool
	blobsKnown  bool
}

// scanUsage collects the chain IDs and blobs every image and container uses.
func (s *Store) scanUsage() (*usage, error) {
	u := &usage{chains: map[digest.Digest]bool{}, blobs: map[digest.Digest]bool{}, chainsKnown: true, blobsKnown: true}
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		u.blobs[id] = true
		if cfg, err := s.readConfig(id); err == nil {
			for _, c := range identity.ChainIDs(append([]digest.Digest{}, cfg.RootFS.DiffIDs...)) {
				u.chains[c] = true
			}
		} else {
			u.chainsKnown = false
		}
		rec, err := s.readRecord(id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			u.blobsKnown = false
			continue
		}
		u.blobs[rec.Manifest.Digest] = true
		m, err := s.readManifest(rec.Manifest.Digest)
		if err != nil {
			u.blobsKnown = false
			continue
		}
		for _, l := range m.Layers {
			u.blobs[l.Digest] = true
		}
	}
	recs, complete, err := s.rootfsRecords()
	if err != nil {
		return nil, err
	}
	u.chainsKnown = u.chainsKnown && complete
	for _, r := range recs {
		for _, c := range r.Layers {
			u.chains[c] = true
		}
	}
	cache, complete, err := s.cacheRecords()
	if err != nil {
		return nil, err
	}
	if !complete {
		u.chainsKnown, u.blobsKnown = false, false
	}
	for _, r := range cache {
		for _, c := range r.Stack.Chains {
			u.chains[c] = true
		}
		for _, l := range r.Stack.Layers {
			u.blobs[l.Digest] = true
		}
	}
	return u, nil
}

// gc removes layers (of every driver) and blobs that nothing uses; the
// caller holds the lock. It returns the chain IDs it removed.
func (s *Store) gc() ([]digest.Digest, error) {
	u, err := s.scanUsage()
	if err != nil {
		return nil, fmt.Errorf("collect garbage: %w", err)
	}
	var drivers []os.DirEntry
	if u.chainsKnown {
		if drivers, err = os.ReadDir(s.layersDir()); err != nil {
			return nil, fmt.Errorf("collect garbage: %w", err)
		}
	}
	removed := map[digest.Digest]bool{}
	var order []digest.Digest
	for _, drv := range drivers {
		dir := filepath.Join(s.layersDir(), drv.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("collect garbage: %w", err)
		}
		for _, e := range entries {
			if e.Name() == linksDir {
				continue
			}
			chain := digest.NewDigestFromEncoded(digest.SHA256, e.Name())
			if u.chains[chain] {
				continue
			}
			if len(e.Name()) == 64 && isHex(e.Name()) {
				if err := removeLink(dir, chain); err != nil {
					return nil, err
				}
			}
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return nil, fmt.Errorf("remove layer %s: %w", e.Name(), err)
			}
			if !removed[chain] {
				removed[chain] = true
				order = append(order, chain)
			}
		}
	}
	if !u.blobsKnown {
		return order, nil
	}
	blobs, err := os.ReadDir(s.blobDir())
	if err != nil {
		return nil, fmt.Errorf("collect garbage: %w", err)
	}
	for _, b := range blobs {
		if u.blobs[digest.NewDigestFromEncoded(digest.SHA256, b.Name())] {
			continue
		}
		if err := os.Remove(filepath.Join(s.blobDir(), b.Name())); ignoreNotExist(err) != nil {
			return nil, fmt.Errorf("remove blob %s: %w", b.Name(), err)
		}
		s.forgetVerified(digest.NewDigestFromEncoded(digest.SHA256, b.Name()))
	}
	return order, nil
}

// dirSize is the apparent size of the files under dir, each hard-linked
// inode counted once.
func dirSize(dir string) (int64, error) {
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return ignoreNotExist(err)
		}
		if key, ok := inodeOf(fi); ok {
			if seen[inode(key)] {
				return nil
			}
			seen[inode(key)] = true
		}
		total += fi.Size()
		return nil
	})
	return total, err
}

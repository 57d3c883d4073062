package images

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

// The store's half of `berth system check`: Check scans what the store
// holds for damage, hashing every blob whole (the verification cache is
// refreshed, never trusted) and checking that each unpacked layer carries
// its marker; Repair removes one damaged thing.

// Damage kinds.
const (
	DamageReferences     = "references"      // repositories.json, or one reference in it
	DamageImage          = "image"           // an image's record, config or manifest
	DamageLayer          = "layer"           // an unpacked layer directory
	DamageContainerLayer = "container layer" // a container's writable layer
)

// Damage is one thing Check found broken.
type Damage struct {
	Kind    string // one of the Damage* kinds
	ID      string // image ID, chain ID, container ID, or the reference
	Problem string
}

// Check scans the references, every image, the unpacked layers of every
// driver and the containers' writable layers.
func (s *Store) Check() ([]Damage, error) {
	var found []Damage
	refs, err := s.readRefsFile()
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && s.noImages()) {
		found = append(found, Damage{Kind: DamageReferences, ID: "repositories.json", Problem: err.Error()})
		if refs, err = s.readRefs(); err != nil {
			return nil, err
		}
	}
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	for ref, id := range refs {
		if _, err := os.Stat(s.imagePath(id)); errors.Is(err, fs.ErrNotExist) {
			found = append(found, Damage{Kind: DamageReferences, ID: ref, Problem: "names image " + id.Encoded() + ", which is not stored"})
		}
	}
	for _, id := range ids {
		if problem := s.checkImage(id); problem != "" {
			found = append(found, Damage{Kind: DamageImage, ID: id.Encoded(), Problem: problem})
		}
	}
	layers, err := s.checkLayers()
	if err != nil {
		return nil, err
	}
	found = append(found, layers...)
	entries, err := os.ReadDir(s.containersDir())
	if err != nil {
		return nil, fmt.Errorf("check container layers: %w", err)
	}
	for _, e := range entries {
		var rec rootfsRecord
		if err := readJSON(s.rootfsRecordPath(e.Name()), &rec); err != nil {
			found = append(found, Damage{Kind: DamageContainerLayer, ID: e.Name(), Problem: "rootfs record: " + err.Error()})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Kind < found[j].Kind })
	return found, nil
}

func (s *Store) noImages() bool {
	ids, err := s.imageIDs()
	return err == nil && len(ids) == 0
}

// checkImage says what is wrong with an image, "" when nothing is: its
// record, config and manifest must read and match their digests, and the
// manifest must list a stored blob for each layer of the config.
func (s *Store) checkImage(id digest.Digest) string {
	rec, err := s.readRecord(id)
	if err != nil {
		return err.Error()
	}
	data, err := os.ReadFile(s.blobPath(id))
	if err != nil {
		return "config: " + err.Error()
	}
	if got := digest.FromBytes(data); got != id {
		return "config blob " + id.String() + " does not match its digest: content has " + got.String()
	}
	cfg, err := s.readConfig(id)
	if err != nil {
		return err.Error()
	}
	data, err = os.ReadFile(s.blobPath(rec.Manifest.Digest))
	if err != nil {
		return "manifest: " + err.Error()
	}
	if got := digest.FromBytes(data); got != rec.Manifest.Digest {
		return "manifest blob " + rec.Manifest.Digest.String() + " does not match its digest: content has " + got.String()
	}
	m, err := s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return err.Error()
	}
	if len(m.Layers) != len(cfg.RootFS.DiffIDs) {
		return fmt.Sprintf("manifest lists %d layers, config %d", len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	chains := identity.ChainIDs(append([]digest.Digest{}, cfg.RootFS.DiffIDs...))
	for i, l := range m.Layers {
		if l.Digest.Validate() != nil {
			return fmt.Sprintf("manifest layer %d: invalid digest %q", i, l.Digest)
		}
		if _, err := os.Stat(s.blobPath(l.Digest)); err != nil {
			if s.hasLayer(chains[i]) {
				continue // unpacked, and never needed again unless saved or pushed
			}
			return fmt.Sprintf("layer %d: blob %s: %v", i, l.Digest.Encoded(), err)
		}
		if err := s.hashBlob(l.Digest); errors.Is(err, ErrDamaged) {
			return fmt.Sprintf("layer %d: blob %s does not match its digest", i, l.Digest)
		} else if err != nil {
			return fmt.Sprintf("layer %d: %v", i, err)
		}
	}
	return ""
}

// checkLayers finds unpacked layer directories that are not whole: a name
// that is no chain ID, no diff directory, or no marker (an unpack cut
// short).
func (s *Store) checkLayers() ([]Damage, error) {
	drivers, err := os.ReadDir(s.layersDir())
	if err != nil {
		return nil, fmt.Errorf("check layers: %w", err)
	}
	var found []Damage
	for _, drv := range drivers {
		entries, err := os.ReadDir(filepath.Join(s.layersDir(), drv.Name()))
		if err != nil {
			return nil, fmt.Errorf("check layers: %w", err)
		}
		for _, e := range entries {
			if e.Name() == linksDir {
				continue
			}
			id := drv.Name() + "/" + e.Name()
			if len(e.Name()) != 64 || !isHex(e.Name()) {
				found = append(found, Damage{Kind: DamageLayer, ID: id, Problem: "not named by a chain ID"})
				continue
			}
			dir := filepath.Join(s.layersDir(), drv.Name(), e.Name())
			if fi, err := os.Stat(filepath.Join(dir, "diff")); err != nil || !fi.IsDir() {
				found = append(found, Damage{Kind: DamageLayer, ID: id, Problem: "no diff directory"})
				continue
			}
			if marker, err := os.ReadFile(filepath.Join(dir, layerMarker)); err != nil {
				found = append(found, Damage{Kind: DamageLayer, ID: id, Problem: "not marked complete: an unpack cut short (it is unpacked again from its blob when next used)"})
			} else if strings.TrimSpace(string(marker)) != "sha256:"+e.Name() {
				found = append(found, Damage{Kind: DamageLayer, ID: id, Problem: fmt.Sprintf("marker names %q", strings.TrimSpace(string(marker)))})
			}
		}
	}
	return found, nil
}

// layerUsers lists the containers (short IDs) whose writable layer sits on
// the layer with this chain hex: a damaged layer under a container that
// may run is not removed from under it.
func (s *Store) layerUsers(chainHex string) ([]string, error) {
	recs, _, err := s.rootfsRecords()
	if err != nil {
		return nil, err
	}
	var users []string
	for _, r := range recs {
		for _, c := range r.Layers {
			if c.Encoded() == chainHex {
				users = append(users, r.ID[:min(12, len(r.ID))])
				break
			}
		}
	}
	return users, nil
}

// ContainerLayers lists the IDs of the containers that have a writable
// layer, for the engine to find those it no longer knows.
func (s *Store) ContainerLayers() ([]string, error) {
	entries, err := os.ReadDir(s.containersDir())
	if err != nil {
		return nil, fmt.Errorf("list container layers: %w", err)
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.Name())
	}
	return ids, nil
}

// Repair removes one damaged thing Check found: an image (with its
// references; the caller has dealt with the containers using it), a
// reference or the whole references index (rebuilt from the image
// records), a layer directory (unpacked again from its blob when next
// needed) or a container's writable layer.
func (s *Store) Repair(d Damage) error {
	switch d.Kind {
	case DamageImage:
		_, err := s.Remove(d.ID, RemoveOptions{Force: true})
		return err
	case DamageContainerLayer:
		return s.RemoveRootfs(d.ID)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	switch d.Kind {
	case DamageReferences:
		refs, err := s.readRefs()
		if err != nil {
			return err
		}
		delete(refs, d.ID)
		return s.writeRefs(refs)
	case DamageLayer:
		dir := filepath.Join(s.layersDir(), filepath.FromSlash(d.ID))
		if rel, err := filepath.Rel(s.layersDir(), dir); err != nil || rel != filepath.FromSlash(d.ID) {
			return fmt.Errorf("repair layer %q: not a layer directory", d.ID)
		}
		if users, err := s.layerUsers(filepath.Base(dir)); err != nil {
			return err
		} else if len(users) > 0 {
			return fmt.Errorf("repair layer %s: used by container %s: remove it first", d.ID, strings.Join(users, ", "))
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("remove layer %s: %w", d.ID, err)
		}
		return nil
	}
	return fmt.Errorf("repair %s %s: unknown kind of damage", d.Kind, d.ID)
}

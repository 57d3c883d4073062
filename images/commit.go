package images

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

// pendingImage is an image whose parts sit under tmp/, ready to become
// visible in one step under the lock.
type pendingImage struct {
	config     []byte
	layers     []v1.Descriptor          // manifest layer descriptors, bottom first
	diffIDs    []digest.Digest          // uncompressed digests, as layers
	chains     []digest.Digest          // chain IDs, as layers
	layerSizes []int64                  // content bytes per layer
	blobs      map[digest.Digest]string // ingested blobs: digest → temp path
	unpacked   map[digest.Digest]string // unpacked layers: chain ID → temp dir
	refs       []string                 // normalised references to point at the image
	// rawManifest, when set, is stored as is (a pulled image keeps its
	// registry manifest and digest); otherwise commit builds one.
	rawManifest       []byte
	manifestMediaType string
	parent            digest.Digest // imageRecord.Parent
}

// discard removes whatever of p is still under tmp/.
func (p *pendingImage) discard() {
	for _, path := range p.blobs {
		_ = os.Remove(path)
	}
	for _, dir := range p.unpacked {
		_ = os.RemoveAll(dir)
	}
}

// manifest builds the OCI manifest for p.
func (p *pendingImage) manifest() ([]byte, error) {
	m := v1.Manifest{
		MediaType: v1.MediaTypeImageManifest,
		Config: v1.Descriptor{
			MediaType: v1.MediaTypeImageConfig,
			Digest:    digest.FromBytes(p.config),
			Size:      int64(len(p.config)),
		},
		Layers: p.layers,
	}
	m.SchemaVersion = 2
	if m.Layers == nil {
		m.Layers = []v1.Descriptor{}
	}
	return json.Marshal(m)
}

// commit makes p visible: blobs and layers move to their final names, then
// the image record, then the references. It returns the image ID.
func (s *Store) commit(p *pendingImage) (digest.Digest, error) {
	defer p.discard()
	manifest, mediaType := p.rawManifest, p.manifestMediaType
	if manifest == nil {
		var err error
		if manifest, err = p.manifest(); err != nil {
			return "", err
		}
		mediaType = v1.MediaTypeImageManifest
	}
	// Make the unpacked files durable before any record points at them.
	if err := syncFS(s.tmpDir()); err != nil {
		return "", fmt.Errorf("sync image store: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	for d, path := range p.blobs {
		if err := s.commitBlob(path, d); err != nil {
			return "", err
		}
		delete(p.blobs, d)
	}
	for chain, dir := range p.unpacked {
		if err := s.commitLayer(dir, chain); err != nil {
			return "", err
		}
		delete(p.unpacked, chain)
	}
	id, err := s.putBlob(p.config)
	if err != nil {
		return "", err
	}
	md, err := s.putBlob(manifest)
	if err != nil {
		return "", err
	}
	refs, err := s.readRefs()
	if err != nil {
		return "", err
	}
	for _, r := range p.refs {
		refs[r] = id
	}
	rec := imageRecord{
		Manifest:   v1.Descriptor{MediaType: mediaType, Digest: md, Size: int64(len(manifest))},
		LayerSizes: p.layerSizes,
		Refs:       refsOf(refs, id),
	}
	if p.parent != id {
		rec.Parent = p.parent
	}
	if err := writeJSONAtomic(s.imagePath(id), rec); err != nil {
		return "", fmt.Errorf("write image %s: %w", id.Encoded(), err)
	}
	if len(p.refs) > 0 {
		if err := s.writeRefs(refs); err != nil {
			return "", err
		}
	}
	return id, nil
}

func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	return unix.Syncfs(int(f.Fd()))
}

// newConfig makes the config blob content for an image.
func newConfig(cfg ImageConfig, diffIDs []digest.Digest, history []v1.History, created time.Time) configFile {
	if diffIDs == nil {
		diffIDs = []digest.Digest{}
	}
	return configFile{
		Created:      &created,
		Architecture: goArch(),
		OS:           "linux",
		Config:       cfg,
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: diffIDs},
		History:      history,
	}
}

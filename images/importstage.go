package images

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// stageImported stages the layer of an import, an uncompressed tar read
// from r. It is written to its blob file under tmp/ first, hashed on the
// way: its digest is its diff ID, so a layer the store already holds
// whole (the same tarball imported again) is not unpacked a second time.
func (s *Store) stageImported(p *pendingImage, r io.Reader) error {
	f, err := s.createTemp("blob")
	if err != nil {
		return fmt.Errorf("stage layer: %w", err)
	}
	path := f.Name()
	defer func() {
		_ = f.Close()
		if !ownsBlob(p, path) {
			_ = os.Remove(path)
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		return fmt.Errorf("stage layer: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("stage layer: %w", err)
	}
	head := make([]byte, 6)
	n, _ := f.ReadAt(head, 0)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("stage layer: %w", err)
	}
	d := digest.NewDigest(digest.SHA256, h)
	want := d
	if detectCompression(head[:n]) != uncompressed {
		want = "" // compressed twice over: its content is not the file
	}
	return s.stageLayerBlob(p, f, path, d, v1.MediaTypeImageLayer, want)
}

// ownsBlob reports whether the pending image took the file at path as
// one of its blobs: then it removes it, not the stager.
func ownsBlob(p *pendingImage, path string) bool {
	for _, b := range p.blobs {
		if b == path {
			return true
		}
	}
	return false
}

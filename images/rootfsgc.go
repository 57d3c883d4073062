package images

import (
	"os"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

// freesLayers reports whether removing the rootfs described by rec may
// leave a layer that nothing uses: false when its image is still in the
// store and holds every layer the rootfs stands on, so removing a
// container need not scan the whole store (gc reads every image). A
// record that cannot be read (nil), a build step's rootfs (no image) or
// an image removed meanwhile all answer true: gc decides.
func (s *Store) freesLayers(rec *rootfsRecord) bool {
	if rec == nil || rec.Image == "" {
		return true
	}
	id := digest.NewDigestFromEncoded(digest.SHA256, rec.Image)
	if id.Validate() != nil {
		return true
	}
	if _, err := os.Stat(s.imagePath(id)); err != nil {
		return true
	}
	cfg, err := s.readConfig(id)
	if err != nil {
		return true
	}
	held := map[digest.Digest]bool{}
	for _, c := range identity.ChainIDs(append([]digest.Digest{}, cfg.RootFS.DiffIDs...)) {
		held[c] = true
	}
	for _, c := range rec.Layers {
		if !held[c] {
			return true
		}
	}
	return false
}

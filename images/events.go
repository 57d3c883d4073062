package images

import (
	"maps"

	digest "github.com/opencontainers/go-digest"
)

// Image events are docker's: pull and push name the reference
// ("busybox:latest") as both the actor's ID and its name; tag names the
// image ID ("sha256:…") and the new tag; untag, delete, import, load and
// save name the image ID twice. The image's labels join the attributes
// while its config is still stored.

// event tells Options.Event of an image event. img, when not "", is the
// image whose labels become attributes.
func (s *Store) event(action, id, name string, img digest.Digest) {
	if s.onEvent == nil {
		return
	}
	attrs := map[string]string{}
	if img != "" {
		if cfg, err := s.readConfig(img); err == nil {
			maps.Copy(attrs, cfg.Config.Labels)
		}
	}
	attrs["name"] = name
	s.onEvent(action, id, attrs)
}

// idEvent is an event whose actor is the image itself, by ID.
func (s *Store) idEvent(action string, id digest.Digest) {
	s.event(action, id.String(), id.String(), id)
}

// tagEvents are the tag events of an image stored with refs (normalised).
func (s *Store) tagEvents(refs []string, id digest.Digest) {
	for _, r := range refs {
		s.event("tag", id.String(), FamiliarReference(r), id)
	}
}

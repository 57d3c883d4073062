package images

import (
	"fmt"
	"os"
	"sort"
	"strings"

	digest "github.com/opencontainers/go-digest"
)

// RemoveOptions configure Remove.
type RemoveOptions struct {
	// Force removes an image that containers use, or that is named by ID
	// while it has several tags.
	Force bool
	// InUse reports whether a container uses the image, and which one (for
	// the error message). nil means no container uses any image.
	InUse func(imageID string) (container string, used bool)
}

// Deleted is one thing Remove did: a reference untagged, or an image or
// layer deleted (as the lines `docker rmi` prints).
type Deleted struct {
	Untagged string // familiar reference
	Deleted  string // "sha256:…" image ID or layer chain ID
}

// Remove removes an image as `docker rmi` does: by a reference that is not
// the image's last tag it only untags; by its last tag or its ID it deletes
// the image, its references, and the layers and blobs nothing else uses.
// An image a container uses is refused (ErrInUse) unless Force; so is, by
// ID, an image with several tags (ErrConflict).
func (s *Store) Remove(refOrID string, opts RemoveOptions) ([]Deleted, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	id, byRef, err := s.resolve(refOrID, refs)
	if err != nil {
		return nil, fmt.Errorf("remove image %s: %w", refOrID, err)
	}
	var tags, all []string
	for r, to := range refs {
		if to != id {
			continue
		}
		all = append(all, r)
		if !strings.Contains(r, "@") {
			tags = append(tags, r)
		}
	}
	sort.Strings(all)

	// By a tag while other tags remain, or by a digest while anything
	// else names the image: only that reference goes.
	if byRef != "" && (len(tags) > 1 || (strings.Contains(byRef, "@") && len(all) > 1)) {
		delete(refs, byRef)
		if err := s.writeRefs(refs); err != nil {
			return nil, fmt.Errorf("untag %s: %w", refOrID, err)
		}
		s.idEvent("untag", id)
		return []Deleted{{Untagged: FamiliarReference(byRef)}}, nil
	}
	short := id.Encoded()[:12]
	if byRef == "" && len(tags) > 1 && !opts.Force {
		return nil, fmt.Errorf("%w: unable to delete %s (must be forced) - image is referenced in multiple repositories", ErrConflict, short)
	}
	if opts.InUse != nil && !opts.Force {
		if by, used := opts.InUse(id.Encoded()); used {
			return nil, fmt.Errorf("%w: unable to remove %s (must force) - container %s is using image %s", ErrInUse, refOrID, by, short)
		}
	}
	// An image others were built from stays while they do, as docker's:
	// by a reference only that reference goes, by ID it is refused even
	// with Force.
	if hasChildren, err := s.hasChildren(id); err != nil {
		return nil, fmt.Errorf("remove image %s: %w", refOrID, err)
	} else if hasChildren {
		if byRef == "" {
			return nil, fmt.Errorf("%w: unable to delete %s (cannot be forced) - image has dependent child images", ErrConflict, short)
		}
		delete(refs, byRef)
		if err := s.writeRefs(refs); err != nil {
			return nil, fmt.Errorf("untag %s: %w", refOrID, err)
		}
		s.idEvent("untag", id)
		return []Deleted{{Untagged: FamiliarReference(byRef)}}, nil
	}

	var out []Deleted
	for _, r := range all {
		delete(refs, r)
		out = append(out, Deleted{Untagged: FamiliarReference(r)})
	}
	if len(all) > 0 {
		if err := s.writeRefs(refs); err != nil {
			return nil, fmt.Errorf("remove image %s: %w", refOrID, err)
		}
		for range all {
			s.idEvent("untag", id)
		}
	}
	removed, err := s.deleteImage(id)
	if err != nil {
		return out, fmt.Errorf("remove image %s: %w", refOrID, err)
	}
	s.event("delete", id.String(), id.String(), "")
	out = append(out, Deleted{Deleted: id.String()})
	for _, chain := range removed {
		out = append(out, Deleted{Deleted: chain.String()})
	}
	return out, nil
}

// deleteImage removes an image record and collects the garbage it leaves;
// the caller holds the lock and has removed its references.
func (s *Store) deleteImage(id digest.Digest) ([]digest.Digest, error) {
	if err := os.Remove(s.imagePath(id)); err != nil {
		return nil, err
	}
	if err := syncDir(s.imagesDir()); err != nil {
		return nil, err
	}
	return s.gc()
}

package images

import (
	"errors"

	digest "github.com/opencontainers/go-digest"
)

// hasChildren reports whether a stored image names id as its parent (a
// build started from it); the caller holds the lock. A record that cannot
// be read is no child: it cannot be used anyway, and check repairs it.
func (s *Store) hasChildren(id digest.Digest) (bool, error) {
	ids, err := s.imageIDs()
	if err != nil {
		return false, err
	}
	for _, other := range ids {
		if other == id {
			continue
		}
		rec, err := s.readRecord(other)
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrDamaged) {
			continue
		}
		if err != nil {
			return false, err
		}
		if rec.Parent == id {
			return true, nil
		}
	}
	return false, nil
}

// keepParents drops from doomed every image that an image staying in the
// store names as its parent, as docker's prune spares the parents of what
// it keeps; ids are all the images, parents maps an image to its parent.
func keepParents(doomed, ids []digest.Digest, parents map[digest.Digest]digest.Digest) []digest.Digest {
	going := map[digest.Digest]bool{}
	for _, id := range doomed {
		going[id] = true
	}
	for changed := true; changed; {
		changed = false
		for _, id := range ids {
			if p, ok := parents[id]; ok && !going[id] && going[p] {
				going[p] = false
				changed = true
			}
		}
	}
	out := doomed[:0]
	for _, id := range doomed {
		if going[id] {
			out = append(out, id)
		}
	}
	return out
}

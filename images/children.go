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

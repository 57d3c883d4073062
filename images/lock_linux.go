package images

import (
	"fmt"

	"berth/internal/flock"
)

// lock takes the store's exclusive lock. Every mutation of references,
// image records, layers or container layers happens under it.
func (s *Store) lock() (unlock func(), err error) {
	unlock, err = flock.Lock(s.lockPath())
	if err != nil {
		return nil, fmt.Errorf("lock image store: %w", err)
	}
	return unlock, nil
}

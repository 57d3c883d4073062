package network

import (
	"fmt"
	"path/filepath"

	"berth/internal/flock"
)

// lock takes the store's exclusive lock; the returned func releases it.
func (m *Manager) lock() (func(), error) {
	unlock, err := flock.Lock(filepath.Join(m.opts.Dir, "lock"))
	if err != nil {
		return nil, fmt.Errorf("lock network store: %w", err)
	}
	return unlock, nil
}

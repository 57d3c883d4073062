package images

import (
	"fmt"
	"os"

	"berth/internal/atomicfile"

	digest "github.com/opencontainers/go-digest"
)

// Blobs are written under tmp/ and renamed to blobs/sha256/<hex> only
// under the store lock, together with the record that uses them, so that
// garbage collection never sees a blob before its user.

// commitBlob moves a staged blob file, whose digest d was computed from its
// content as it was written, to its digest's name, and remembers it as
// verified (verify.go); the caller holds the lock. A blob already present
// is kept and the new copy dropped, unless it no longer matches its digest.
func (s *Store) commitBlob(path string, d digest.Digest) error {
	final := s.blobPath(d)
	if _, err := os.Stat(final); err == nil {
		if s.verifyBlob(d) == nil {
			return os.Remove(path)
		}
	}
	if err := os.Rename(path, final); err != nil {
		return fmt.Errorf("commit blob %s: %w", d, err)
	}
	s.rememberStored(d)
	return nil
}

// putBlob stores data as a blob; the caller holds the lock.
func (s *Store) putBlob(data []byte) (digest.Digest, error) {
	d := digest.FromBytes(data)
	if old, err := os.ReadFile(s.blobPath(d)); err == nil && digest.FromBytes(old) == d {
		return d, nil
	}
	if err := atomicfile.WriteFile(s.blobPath(d), data, 0o600); err != nil {
		return "", fmt.Errorf("write blob %s: %w", d, err)
	}
	return d, nil
}

// openBlob opens a stored blob for reading.
func (s *Store) openBlob(d digest.Digest) (*os.File, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("open blob %q: %w", d, err)
	}
	f, err := os.Open(s.blobPath(d))
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", d, err)
	}
	return f, nil
}

package images

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	digest "github.com/opencontainers/go-digest"
)

// Blobs are written under tmp/ and renamed to blobs/sha256/<hex> only
// under the store lock, together with the record that uses them, so that
// garbage collection never sees a blob before its user.

// ingest copies r into a temporary file while hashing it. The caller
// commits the file with commitBlob or removes it.
func (s *Store) ingest(r io.Reader) (path string, d digest.Digest, size int64, err error) {
	f, err := os.CreateTemp(s.tmpDir(), "blob-")
	if err != nil {
		return "", "", 0, fmt.Errorf("create blob: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return "", "", 0, fmt.Errorf("write blob: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", "", 0, fmt.Errorf("write blob: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", "", 0, fmt.Errorf("write blob: %w", err)
	}
	return f.Name(), digest.NewDigest(digest.SHA256, h), size, nil
}

// commitBlob moves an ingested file to its digest's name; the caller holds
// the lock. A blob already present is kept and the new copy dropped.
func (s *Store) commitBlob(path string, d digest.Digest) error {
	final := s.blobPath(d)
	if _, err := os.Stat(final); err == nil {
		return os.Remove(path)
	}
	if err := os.Rename(path, final); err != nil {
		return fmt.Errorf("commit blob %s: %w", d, err)
	}
	return nil
}

// putBlob stores data as a blob; the caller holds the lock.
func (s *Store) putBlob(data []byte) (digest.Digest, error) {
	d := digest.FromBytes(data)
	if _, err := os.Stat(s.blobPath(d)); err == nil {
		return d, nil
	}
	if err := writeFileAtomic(s.blobPath(d), data, 0o600); err != nil {
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

package images

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	digest "github.com/opencontainers/go-digest"
)

// Blobs are checked against their digests when they are used. Configs and
// manifests are small and read whole on every use, so they are hashed
// every time (readConfig, readManifest). Layer blobs are big: one hashed
// whole is remembered in verified/<hex>, which holds the identity of the
// file that was hashed (device, inode, size, modification and change
// times). While the blob's identity is unchanged it is not hashed again;
// any write to it changes its change time, and then it is hashed again.
// A blob is remembered when it is committed (its digest was computed from
// the content as it was written), and when it is hashed whole (by an
// unpack, save, push or system check). system check always hashes.
//
// Unpacked layers are not hashed when a container is made from them, as
// docker does not: their blob was verified when they were unpacked, and
// each carries a marker, written after its content was made durable,
// without which it is unpacked again (layerstore.go).

// DamagedBlobError is a stored blob whose content does not match its
// digest. It wraps ErrDamaged.
type DamagedBlobError struct {
	Image string // the image as the user named it, or its short ID; "" when unknown
	Blob  digest.Digest
}

func (e *DamagedBlobError) Error() string {
	msg := fmt.Sprintf("blob %s does not match its digest (content is damaged): run `berth system check --repair` or pull/load it again", e.Blob)
	if e.Image != "" {
		msg = "image " + e.Image + ": " + msg
	}
	return msg
}

func (e *DamagedBlobError) Unwrap() error { return ErrDamaged }

// WithImageName returns err naming the image as name when it is, or
// wraps, a DamagedBlobError: that error alone, which says all there is to
// say. Other errors are returned as they are.
func WithImageName(err error, name string) error {
	var dbe *DamagedBlobError
	if !errors.As(err, &dbe) {
		return err
	}
	named := *dbe
	named.Image = name
	return &named
}

// blobIdentity tells whether a file changed since it was last hashed.
type blobIdentity struct {
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime"` // nanoseconds since the epoch
	Ctime int64  `json:"ctime"`
}

// stillVerified is the rule of the cache: a blob needs no hashing when a
// verification was remembered for a file with the identity it has now.
func stillVerified(remembered *blobIdentity, now blobIdentity) bool {
	return remembered != nil && *remembered == now
}

func (s *Store) verifiedDir() string { return filepath.Join(s.root, "verified") }
func (s *Store) verifiedPath(d digest.Digest) string {
	return filepath.Join(s.verifiedDir(), d.Encoded())
}

// verifyImage checks an image's config, manifest and layer blobs against
// their digests, the layer blobs through the cache.
func (s *Store) verifyImage(id digest.Digest) error {
	rec, err := s.readRecord(id)
	if err != nil {
		return err
	}
	if _, err := s.readConfig(id); err != nil {
		return err
	}
	m, err := s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return err
	}
	for _, l := range m.Layers {
		if err := s.verifyBlob(l.Digest); err != nil {
			return err
		}
	}
	return nil
}

// imageName names an image in errors: its first tag, or its short ID.
func (s *Store) imageName(id digest.Digest, refs map[string]digest.Digest) string {
	tags, _ := refsByImage(refs)
	if t := tags[id]; len(t) > 0 {
		return t[0]
	}
	return id.Encoded()[:12]
}

// verifyBlob checks a stored blob against its digest, hashing it only when
// its identity changed since it was last verified.
func (s *Store) verifyBlob(d digest.Digest) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("verify blob %q: %w", d, err)
	}
	fi, err := os.Stat(s.blobPath(d))
	if err != nil {
		return fmt.Errorf("verify blob %s: %w", d, err)
	}
	var remembered blobIdentity
	if err := readJSON(s.verifiedPath(d), &remembered); err == nil && stillVerified(&remembered, identityOf(fi)) {
		return nil
	}
	return s.hashBlob(d)
}

// hashBlob hashes a stored blob whole and remembers it when it matches.
func (s *Store) hashBlob(d digest.Digest) error {
	f, err := s.openBlob(d)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read-only
	// The identity before reading: a write while it is read changes it.
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("verify blob %s: %w", d, err)
	}
	v := d.Verifier()
	if _, err := io.Copy(v, f); err != nil {
		return fmt.Errorf("verify blob %s: %w", d, err)
	}
	if !v.Verified() {
		s.forgetVerified(d)
		return &DamagedBlobError{Blob: d}
	}
	s.rememberVerified(d, fi)
	return nil
}

// rememberVerified records that the blob file fi was found to match d.
// Failing to record it costs only a hash next time, so it is not an error.
func (s *Store) rememberVerified(d digest.Digest, fi fs.FileInfo) {
	if os.MkdirAll(s.verifiedDir(), 0o700) != nil {
		return
	}
	_ = writeJSONAtomic(s.verifiedPath(d), identityOf(fi))
}

// rememberStored records a blob just committed from content whose digest
// was computed as it was written.
func (s *Store) rememberStored(d digest.Digest) {
	if fi, err := os.Stat(s.blobPath(d)); err == nil {
		s.rememberVerified(d, fi)
	}
}

// forgetVerified drops what was remembered about a blob.
func (s *Store) forgetVerified(d digest.Digest) {
	_ = os.Remove(s.verifiedPath(d))
}

// verifyingReader hashes what is read through it; check, once the whole
// blob was read, says whether it matched.
type verifyingReader struct {
	r io.Reader
	v digest.Verifier
	d digest.Digest
}

func newVerifyingReader(r io.Reader, d digest.Digest) *verifyingReader {
	return &verifyingReader{r: r, v: d.Verifier(), d: d}
}

func (vr *verifyingReader) Read(b []byte) (int, error) {
	n, err := vr.r.Read(b)
	_, _ = vr.v.Write(b[:n]) // a hash takes every byte
	return n, err
}

// check reads what is left of the blob and reports a mismatch.
func (vr *verifyingReader) check() error {
	if _, err := io.Copy(io.Discard, vr); err != nil {
		return fmt.Errorf("verify blob %s: %w", vr.d, err)
	}
	if !vr.v.Verified() {
		return &DamagedBlobError{Blob: vr.d}
	}
	return nil
}

package images

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"berth/internal/flock"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
)

// ParseReference parses a user's image reference into its normalised form:
// "busybox" → "docker.io/library/busybox:latest". A reference with a digest
// keeps it ("name@sha256:…") and gets no default tag.
func ParseReference(s string) (reference.Named, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrInvalidReference, s, err)
	}
	return reference.TagNameOnly(named), nil
}

// parseTagReference parses a reference that names a tag (no digest), as
// `tag` and `import` take.
func parseTagReference(s string) (reference.NamedTagged, error) {
	named, err := ParseReference(s)
	if err != nil {
		return nil, err
	}
	tagged, ok := named.(reference.NamedTagged)
	if !ok {
		return nil, fmt.Errorf("%w: %q: a tag is required, not a digest", ErrInvalidReference, s)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, fmt.Errorf("%w: %q: a tag is required, not a digest", ErrInvalidReference, s)
	}
	return tagged, nil
}

// FamiliarReference shortens a normalised reference the way docker shows
// it: "docker.io/library/busybox:latest" → "busybox:latest".
func FamiliarReference(full string) string {
	named, err := reference.ParseNormalizedNamed(full)
	if err != nil {
		return full
	}
	return reference.FamiliarString(named)
}

// refsFile is repositories.json: normalised reference → image ID.
type refsFile struct {
	Refs map[string]digest.Digest `json:"refs"`
}

// readRefs reads the references. Writers replace the file atomically, so a
// reader without the lock still sees one consistent version. A file that
// cannot be read is rebuilt from the image records (see rebuildRefs).
func (s *Store) readRefs() (map[string]digest.Digest, error) {
	refs, err := s.readRefsFile()
	if errors.Is(err, fs.ErrNotExist) {
		ids, lerr := s.imageIDs()
		if lerr != nil || len(ids) == 0 {
			return map[string]digest.Digest{}, lerr
		}
	} else if err == nil {
		return refs, nil
	}
	return s.rebuildRefs(err)
}

// readRefsFile reads repositories.json, refusing one that parses to
// something that is not a reference index.
func (s *Store) readRefsFile() (map[string]digest.Digest, error) {
	var f refsFile
	if err := readJSON(s.refsPath(), &f); err != nil {
		return nil, err
	}
	if err := checkRefs(f.Refs); err != nil {
		return nil, fmt.Errorf("parse %s: %w", s.refsPath(), err)
	}
	if f.Refs == nil {
		f.Refs = map[string]digest.Digest{}
	}
	return f.Refs, nil
}

// checkRefs refuses an index whose references do not each name an image
// ID (the keys are parsed where they are used).
func checkRefs(refs map[string]digest.Digest) error {
	for ref, id := range refs {
		if ref == "" || id.Validate() != nil || id.Algorithm() != digest.SHA256 {
			return fmt.Errorf("reference %q names %q, not an image ID", ref, id)
		}
	}
	return nil
}

// rebuildRefs makes the references again from the names each image record
// keeps, after repositories.json failed to read with cause. When no other
// holds the store's lock it writes the result (atomically); otherwise the
// holder, a writer, writes it with its change. The repair is told once.
func (s *Store) rebuildRefs(cause error) (map[string]digest.Digest, error) {
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	named := map[digest.Digest][]string{}
	modTime := map[digest.Digest]int64{}
	for _, id := range ids {
		rec, err := s.readRecord(id)
		if err != nil {
			continue // a damaged image is listed as such, by ID
		}
		named[id] = rec.Refs
		if fi, err := os.Stat(s.imagePath(id)); err == nil {
			modTime[id] = fi.ModTime().UnixNano()
		}
	}
	refs := refsFromRecords(named, modTime)
	unlock, ok, err := flock.TryLock(s.lockPath())
	if err != nil {
		return nil, fmt.Errorf("rebuild references: %w", err)
	}
	saved := "in memory; the next change of a tag saves it"
	if ok {
		defer unlock()
		if current, err := s.readRefsFile(); err == nil {
			return current, nil // repaired meanwhile
		}
		if err := s.writeRefsFile(refs); err != nil {
			return nil, fmt.Errorf("rebuild references: %w", err)
		}
		saved = "saved"
	}
	s.warnOnce.Do(func() {
		if s.warn != nil {
			s.warn(fmt.Sprintf("the image references index %s could not be read (%v); rebuilt %d references from %d image records (%s)",
				s.refsPath(), cause, len(refs), len(named), saved))
		}
	})
	return refs, nil
}

// refsFromRecords joins the references image records claim. Should two
// claim one reference (a crash between their writes), the record written
// last wins, as the tag moved last.
func refsFromRecords(named map[digest.Digest][]string, modTime map[digest.Digest]int64) map[string]digest.Digest {
	refs := map[string]digest.Digest{}
	ids := slices.Sorted(maps.Keys(named))
	for _, id := range ids {
		for _, ref := range named[id] {
			if n, err := reference.ParseNormalizedNamed(ref); err != nil || n.String() != ref {
				continue
			}
			if other, ok := refs[ref]; ok && modTime[other] >= modTime[id] {
				continue
			}
			refs[ref] = id
		}
	}
	return refs
}

// writeRefs replaces the references, and brings every image record's
// copy of its names in step; the caller holds the lock.
func (s *Store) writeRefs(refs map[string]digest.Digest) error {
	if err := s.syncRecordRefs(refs); err != nil {
		return fmt.Errorf("write references: %w", err)
	}
	return s.writeRefsFile(refs)
}

func (s *Store) writeRefsFile(refs map[string]digest.Digest) error {
	if err := writeJSONAtomic(s.refsPath(), refsFile{Refs: refs}); err != nil {
		return fmt.Errorf("write references: %w", err)
	}
	return nil
}

// syncRecordRefs rewrites the records whose Refs differ from what refs
// says of their image. A damaged record is left for its removal.
func (s *Store) syncRecordRefs(refs map[string]digest.Digest) error {
	ids, err := s.imageIDs()
	if err != nil {
		return err
	}
	for _, id := range ids {
		rec, err := s.readRecord(id)
		if err != nil {
			continue
		}
		want := refsOf(refs, id)
		if slices.Equal(rec.Refs, want) {
			continue
		}
		rec.Refs = want
		if err := writeJSONAtomic(s.imagePath(id), rec); err != nil {
			return fmt.Errorf("write image %s: %w", id.Encoded(), err)
		}
	}
	return nil
}

// refsOf is the sorted references that name id.
func refsOf(refs map[string]digest.Digest, id digest.Digest) []string {
	var out []string
	for ref, to := range refs {
		if to == id {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

// refsByImage inverts the references: image ID → its tags and digests in
// familiar form, sorted.
func refsByImage(refs map[string]digest.Digest) (tags, digests map[digest.Digest][]string) {
	tags = map[digest.Digest][]string{}
	digests = map[digest.Digest][]string{}
	for ref, id := range refs {
		if strings.Contains(ref, "@") {
			digests[id] = append(digests[id], FamiliarReference(ref))
		} else {
			tags[id] = append(tags[id], FamiliarReference(ref))
		}
	}
	for _, l := range tags {
		sort.Strings(l)
	}
	for _, l := range digests {
		sort.Strings(l)
	}
	return tags, digests
}

// resolve finds the image ID for a reference or ID. ref is the normalised
// reference key when the argument matched a reference, "" when it matched
// an ID. Docker's order: a reference first, then a full ID, then a prefix.
func (s *Store) resolve(refOrID string, refs map[string]digest.Digest) (id digest.Digest, ref string, err error) {
	if refOrID == "" {
		return "", "", fmt.Errorf("%w: empty reference", ErrInvalidReference)
	}
	if named, err := ParseReference(refOrID); err == nil {
		if id, ok := refs[named.String()]; ok {
			return id, named.String(), nil
		}
	}
	hex := strings.TrimPrefix(refOrID, "sha256:")
	if !isHex(hex) || len(hex) > 64 {
		if _, err := ParseReference(refOrID); err != nil {
			return "", "", err
		}
		return "", "", fmt.Errorf("%w: %s", ErrNotFound, refOrID)
	}
	if len(hex) == 64 {
		id := digest.NewDigestFromEncoded(digest.SHA256, hex)
		if _, err := os.Stat(s.imagePath(id)); err == nil {
			return id, "", nil
		}
		return "", "", fmt.Errorf("%w: %s", ErrNotFound, refOrID)
	}
	ids, err := s.imageIDs()
	if err != nil {
		return "", "", err
	}
	var found []digest.Digest
	for _, id := range ids {
		if strings.HasPrefix(id.Encoded(), hex) {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 0:
		return "", "", fmt.Errorf("%w: %s", ErrNotFound, refOrID)
	case 1:
		return found[0], "", nil
	}
	return "", "", fmt.Errorf("%w: %s matches %d images", ErrAmbiguous, refOrID, len(found))
}

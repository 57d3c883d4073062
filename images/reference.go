package images

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
)

// ParseReference parses a user's image reference into its normalised form:
// "busybox" → "docker.io/library/busybox:latest". A reference with a digest
// keeps it ("name@sha256:…") and gets no default tag.
func ParseReference(s string) (reference.Named, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidReference, s, err)
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
// reader without the lock still sees one consistent version.
func (s *Store) readRefs() (map[string]digest.Digest, error) {
	var f refsFile
	if err := readJSON(s.refsPath(), &f); err != nil {
		if os.IsNotExist(err) {
			return map[string]digest.Digest{}, nil
		}
		return nil, fmt.Errorf("read references: %w", err)
	}
	if f.Refs == nil {
		f.Refs = map[string]digest.Digest{}
	}
	return f.Refs, nil
}

// writeRefs replaces the references; the caller holds the lock.
func (s *Store) writeRefs(refs map[string]digest.Digest) error {
	if err := writeJSONAtomic(s.refsPath(), refsFile{Refs: refs}); err != nil {
		return fmt.Errorf("write references: %w", err)
	}
	return nil
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

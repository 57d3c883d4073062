package images

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

// PruneOptions configure Prune.
type PruneOptions struct {
	// All prunes every image no container uses, not only dangling ones.
	All bool
	// InUse reports whether a container uses an image; such images are
	// kept. nil means no container uses any image.
	InUse func(imageID string) (container string, used bool)
}

// PruneReport says what Prune removed.
type PruneReport struct {
	Deleted        []Deleted
	SpaceReclaimed int64 // bytes of layer content removed
}

// staleTmpAge is how old work under tmp/ must be before prune takes it for
// the leftovers of a crash rather than work in progress.
const staleTmpAge = time.Hour

// Prune removes dangling images (with All, every unused image), then the
// layers and blobs nothing uses any more, and leftovers of crashed work.
func (s *Store) Prune(opts PruneOptions) (*PruneReport, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	tags, _ := refsByImage(refs)
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	sizes := map[digest.Digest]int64{} // chain ID → content bytes
	report := &PruneReport{}
	var doomed []digest.Digest
	parents := map[digest.Digest]digest.Digest{} // image → its parent
	for _, id := range ids {
		rec, err := s.readRecord(id)
		if err != nil {
			return nil, err
		}
		if rec.Parent != "" {
			parents[id] = rec.Parent
		}
		cfg, err := s.readConfig(id)
		if err != nil {
			return nil, err
		}
		for i, c := range identity.ChainIDs(append([]digest.Digest{}, cfg.RootFS.DiffIDs...)) {
			if i < len(rec.LayerSizes) {
				sizes[c] = rec.LayerSizes[i]
			}
		}
		if len(tags[id]) > 0 && !opts.All {
			continue
		}
		if opts.InUse != nil {
			if _, used := opts.InUse(id.Encoded()); used {
				continue
			}
		}
		doomed = append(doomed, id)
	}
	doomed = keepParents(doomed, ids, parents)
	changed := false
	for _, id := range doomed {
		for r, to := range refs {
			if to == id {
				delete(refs, r)
				changed = true
				report.Deleted = append(report.Deleted, Deleted{Untagged: FamiliarReference(r)})
				s.idEvent("untag", id)
			}
		}
	}
	if changed {
		if err := s.writeRefs(refs); err != nil {
			return nil, fmt.Errorf("prune: %w", err)
		}
	}
	for _, id := range doomed {
		if err := os.Remove(s.imagePath(id)); err != nil {
			return report, fmt.Errorf("prune: remove image %s: %w", id.Encoded(), err)
		}
		report.Deleted = append(report.Deleted, Deleted{Deleted: id.String()})
		s.event("delete", id.String(), id.String(), "")
	}
	if err := syncDir(s.imagesDir()); err != nil {
		return report, fmt.Errorf("prune: %w", err)
	}
	removed, err := s.gc()
	if err != nil {
		return report, fmt.Errorf("prune: %w", err)
	}
	for _, c := range removed {
		report.Deleted = append(report.Deleted, Deleted{Deleted: c.String()})
		report.SpaceReclaimed += sizes[c]
	}
	if err := s.removeStaleTmp(time.Now().Add(-staleTmpAge)); err != nil {
		return report, fmt.Errorf("prune: %w", err)
	}
	return report, nil
}

// removeStaleTmp removes entries of tmp/ last changed before cutoff,
// except those of live processes: a long pull's own files, and a partial
// download a pull holds locked.
func (s *Store) removeStaleTmp(cutoff time.Time) error {
	entries, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || fi.ModTime().After(cutoff) {
			continue
		}
		if o, ok := parseTmpOwner(e.Name()); ok && processAlive(o) {
			continue
		}
		if strings.HasPrefix(e.Name(), partialPrefix) && inUse(filepath.Join(s.tmpDir(), e.Name())) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.tmpDir(), e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// History lists how an image was made, newest step first, as `docker
// history` shows it. The newest step carries the image's ID.
func (s *Store) History(refOrID string) ([]History, error) {
	img, err := s.Lookup(refOrID)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", refOrID, err)
	}
	out := make([]History, 0, len(img.History))
	for i := len(img.History) - 1; i >= 0; i-- {
		out = append(out, img.History[i])
	}
	if len(out) > 0 {
		out[0].ID = img.ID
	}
	return out, nil
}

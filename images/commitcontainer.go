package images

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// CommitOptions configure CommitContainer (`berth commit`).
type CommitOptions struct {
	// Ref is the REPO[:TAG] to point at the new image; "" leaves it
	// dangling.
	Ref string
	// Config is the container's configuration, the new image's before
	// Changes (docker commits the container's config, not the image's).
	Config ImageConfig
	// Changes are -c instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
	// ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.
	Changes []string
	// Message is the history comment (-m); Author the image's author (-a).
	Message, Author string
	// CreatedBy is the history's created_by: the container's command.
	CreatedBy string
}

// CommitContainer makes a new image of a container's writable layer on
// top of the image the container was created from, and returns it. The
// caller keeps the container from changing meanwhile (pauses it). Bad
// changes leave the store as it was.
func (s *Store) CommitContainer(containerID string, opts CommitOptions) (*Image, error) {
	if err := checkContainerID(containerID); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	cfg := opts.Config
	if err := applyChanges(&cfg, opts.Changes); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	var rec rootfsRecord
	if err := readJSON(s.rootfsRecordPath(containerID), &rec); err != nil {
		return nil, fmt.Errorf("commit %s: %w", containerID, err)
	}
	parentID := digest.NewDigestFromEncoded(digest.SHA256, rec.Image)
	parent, err := s.readConfig(parentID)
	if err != nil {
		return nil, fmt.Errorf("commit %s: image %s: %w", containerID, rec.Image, err)
	}
	prec, err := s.readRecord(parentID)
	if err != nil {
		return nil, fmt.Errorf("commit %s: image %s: %w", containerID, rec.Image, err)
	}
	m, err := s.readManifest(prec.Manifest.Digest)
	if err != nil {
		return nil, fmt.Errorf("commit %s: image %s: %w", containerID, rec.Image, err)
	}
	p := newPending()
	defer p.discard()
	if opts.Ref != "" {
		named, err := parseTagReference(opts.Ref)
		if err != nil {
			return nil, fmt.Errorf("commit: %w", err)
		}
		p.refs = append(p.refs, named.String())
	}
	p.chains = identity.ChainIDs(append([]digest.Digest{}, parent.RootFS.DiffIDs...))
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.containerDiff(&rec, pw)) }()
	err = s.stageLayer(p, pr, v1.MediaTypeImageLayer, "")
	pr.CloseWithError(err)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", containerID, err)
	}
	p.layers = append(append([]v1.Descriptor{}, m.Layers...), p.layers...)
	p.layerSizes = append(append([]int64{}, prec.LayerSizes...), p.layerSizes...)
	created := time.Now().UTC()
	conf := newConfig(cfg, append(append([]digest.Digest{}, parent.RootFS.DiffIDs...), p.diffIDs...),
		append(append([]v1.History{}, parent.History...), v1.History{
			Created: &created, Author: opts.Author, CreatedBy: opts.CreatedBy, Comment: opts.Message,
		}), created)
	conf.Author = opts.Author
	if p.config, err = json.Marshal(conf); err != nil {
		return nil, fmt.Errorf("commit %s: %w", containerID, err)
	}
	id, err := s.commit(p)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", containerID, err)
	}
	return s.Lookup(id.String())
}

// containerDiff writes a container's writable layer as an OCI layer tar:
// overlay2's upper directory, or for vfs its difference from the image
// and init layer.
func (s *Store) containerDiff(rec *rootfsRecord, w io.Writer) error {
	dir := s.containerDir(rec.ID)
	if rec.Driver != DriverVFS {
		return writeOverlayDiff(w, filepath.Join(dir, "diff"))
	}
	old := s.vfsBase(rec)
	if old == "" {
		empty, err := s.mkdirTemp("empty")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(empty) }()
		old = empty
	}
	return writeTreeDiff(w, old, filepath.Join(dir, "rootfs"))
}

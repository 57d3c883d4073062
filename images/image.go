package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image is a stored image as callers see it.
type Image struct {
	ID          string    // 64 hex: the digest of the config blob
	RepoTags    []string  // familiar form ("busybox:latest"), sorted; empty when dangling
	RepoDigests []string  // familiar "name@sha256:…" the image was pulled by
	Created     time.Time // from the config
	Size        int64     // bytes of file content in all layers
	Config      ImageConfig
	History     []History
	Layers      []string      // diff IDs ("sha256:…"), bottom layer first
	Manifest    v1.Descriptor // the manifest blob this image was stored with
	OS          string
	Arch        string
	Author      string
	// Parent is the image ("sha256:…") a build started this one from, as
	// docker's parent chain; "" for pulled, loaded and imported images.
	Parent string
}

// Dangling reports whether the image has no tag.
func (img *Image) Dangling() bool { return len(img.RepoTags) == 0 }

// ImageConfig is the runtime configuration an image carries: the OCI image
// config plus docker's extensions (Healthcheck, OnBuild, Shell).
type ImageConfig struct {
	User         string              `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	StopSignal   string              `json:"StopSignal,omitempty"`
	Healthcheck  *Healthcheck        `json:"Healthcheck,omitempty"`
	OnBuild      []string            `json:"OnBuild,omitempty"`
	Shell        []string            `json:"Shell,omitempty"`
	ArgsEscaped  bool                `json:"ArgsEscaped,omitempty"`
}

// Healthcheck is docker's HEALTHCHECK as stored in an image config.
// Test is ["NONE"], ["CMD", args…] or ["CMD-SHELL", command].
type Healthcheck struct {
	Test          []string      `json:"Test,omitempty"`
	Interval      time.Duration `json:"Interval,omitempty"`
	Timeout       time.Duration `json:"Timeout,omitempty"`
	StartPeriod   time.Duration `json:"StartPeriod,omitempty"`
	StartInterval time.Duration `json:"StartInterval,omitempty"`
	Retries       int           `json:"Retries,omitempty"`
}

// History is one step of how the image was made. EmptyLayer steps changed
// only the config; the others each added one layer of Size bytes.
type History struct {
	ID         string // the image this step made, when it is in the store; "" otherwise
	Created    time.Time
	CreatedBy  string
	Comment    string
	EmptyLayer bool
	Size       int64
}

// configFile is the config blob: the OCI image config with docker's
// extended runtime config.
type configFile struct {
	Created      *time.Time   `json:"created,omitempty"`
	Author       string       `json:"author,omitempty"`
	Architecture string       `json:"architecture"`
	OS           string       `json:"os"`
	Variant      string       `json:"variant,omitempty"`
	Config       ImageConfig  `json:"config"`
	RootFS       v1.RootFS    `json:"rootfs"`
	History      []v1.History `json:"history,omitempty"`
}

// checkDiffIDs validates the layer digests the config lists: they name
// files and are cut into short IDs, so a malformed one must stop here.
func (c *configFile) checkDiffIDs() error {
	for i, d := range c.RootFS.DiffIDs {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("image config: diff ID %d %q: %w", i, d, err)
		}
	}
	return nil
}

// imageRecord is images/<id>.json: what the store knows beyond the blobs.
type imageRecord struct {
	Manifest   v1.Descriptor `json:"manifest"`
	LayerSizes []int64       `json:"layerSizes"` // content bytes per layer, as RootFS.DiffIDs
	// Refs are the normalised references naming the image, kept in step
	// with repositories.json by writeRefs: the copy it is rebuilt from
	// when damaged.
	Refs []string `json:"refs,omitempty"`
	// Parent is the image a build started its final stage from, as
	// docker's parent chain: an image with children cannot be deleted
	// (children.go).
	Parent digest.Digest `json:"parent,omitempty"`
}

func (s *Store) readRecord(id digest.Digest) (*imageRecord, error) {
	var rec imageRecord
	if err := readJSON(s.imagePath(id), &rec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id.Encoded())
		}
		return nil, fmt.Errorf("read image %s: %w: record: %w", id.Encoded(), ErrDamaged, err)
	}
	if err := rec.Manifest.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("read image %s: %w: record: manifest digest: %w", id.Encoded(), ErrDamaged, err)
	}
	return &rec, nil
}

func (s *Store) readConfig(id digest.Digest) (*configFile, error) {
	data, err := os.ReadFile(s.blobPath(id))
	if err != nil {
		return nil, fmt.Errorf("read config of image %s: %w: %w", id.Encoded(), ErrDamaged, err)
	}
	if digest.FromBytes(data) != id {
		return nil, fmt.Errorf("read config of image %s: %w", id.Encoded(), &DamagedBlobError{Blob: id})
	}
	var cfg configFile
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("parse config of image %s: %w: %w", id.Encoded(), ErrDamaged, err)
	}
	return &cfg, nil
}

// imageIDs lists the IDs of all stored images.
func (s *Store) imageIDs() ([]digest.Digest, error) {
	entries, err := os.ReadDir(s.imagesDir())
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	ids := make([]digest.Digest, 0, len(entries))
	for _, e := range entries {
		hex, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || len(hex) != 64 || !isHex(hex) {
			continue
		}
		ids = append(ids, digest.NewDigestFromEncoded(digest.SHA256, hex))
	}
	return ids, nil
}

// load builds the Image for id from its record and config.
func (s *Store) load(id digest.Digest, tags, digests map[digest.Digest][]string) (*Image, error) {
	rec, err := s.readRecord(id)
	if err != nil {
		return nil, err
	}
	cfg, err := s.readConfig(id)
	if err != nil {
		return nil, err
	}
	img := &Image{
		ID:          id.Encoded(),
		RepoTags:    tags[id],
		RepoDigests: digests[id],
		Config:      cfg.Config,
		Manifest:    rec.Manifest,
		OS:          cfg.OS,
		Arch:        cfg.Architecture,
		Author:      cfg.Author,
	}
	if rec.Parent != "" {
		img.Parent = rec.Parent.String()
	}
	if cfg.Created != nil {
		img.Created = *cfg.Created
	}
	for _, d := range cfg.RootFS.DiffIDs {
		img.Layers = append(img.Layers, d.String())
	}
	for _, n := range rec.LayerSizes {
		img.Size += n
	}
	layer := 0
	for _, h := range cfg.History {
		e := History{CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer}
		if h.Created != nil {
			e.Created = *h.Created
		}
		if !h.EmptyLayer && layer < len(rec.LayerSizes) {
			e.Size = rec.LayerSizes[layer]
			layer++
		}
		img.History = append(img.History, e)
	}
	return img, nil
}

// List returns every stored image that can be read, newest first;
// Inventory also names the ones that cannot.
func (s *Store) List() ([]*Image, error) {
	inv, err := s.Inventory()
	if err != nil {
		return nil, err
	}
	return inv.Images, nil
}

// Inventory is every stored image: those that can be read, and those
// whose record or config cannot.
type Inventory struct {
	Images  []*Image // newest first
	Damaged []DamagedImage
}

// DamagedImage is a stored image that cannot be read. It can be removed
// by its ID (or a reference naming it); nothing else can be done with it.
type DamagedImage struct {
	ID     string   // 64 hex
	Refs   []string // familiar references naming it
	Reason string
}

// Inventory reads every image, setting aside those that cannot be read.
func (s *Store) Inventory() (*Inventory, error) {
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	tags, digests := refsByImage(refs)
	inv := &Inventory{Images: make([]*Image, 0, len(ids))}
	for _, id := range ids {
		img, err := s.load(id, tags, digests)
		switch {
		case errors.Is(err, ErrNotFound):
			continue // removed while we listed
		case errors.Is(err, ErrDamaged):
			inv.Damaged = append(inv.Damaged, DamagedImage{ID: id.Encoded(),
				Refs: slices.Concat(tags[id], digests[id]), Reason: err.Error()})
			continue
		case err != nil:
			return nil, err
		}
		inv.Images = append(inv.Images, img)
	}
	out := inv.Images
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return inv, nil
}

// Lookup finds an image by reference ("busybox", "busybox:latest" and
// "docker.io/library/busybox:latest" are one), by full ID with or without
// "sha256:", or by a unique ID prefix. Errors wrap ErrNotFound, ErrAmbiguous
// or ErrInvalidReference.
func (s *Store) Lookup(refOrID string) (*Image, error) {
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	id, _, err := s.resolve(refOrID, refs)
	if err != nil {
		return nil, err
	}
	tags, digests := refsByImage(refs)
	img, err := s.load(id, tags, digests)
	if err != nil {
		return nil, WithImageName(err, refOrID)
	}
	return img, nil
}

// Tag points ref at the image source names. A tag that named another image
// moves; that image stays in the store, dangling if it has no tag left.
func (s *Store) Tag(source, ref string) error {
	named, err := parseTagReference(ref)
	if err != nil {
		return fmt.Errorf("tag %s as %s: %w", source, ref, err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	refs, err := s.readRefs()
	if err != nil {
		return err
	}
	id, _, err := s.resolve(source, refs)
	if err != nil {
		return fmt.Errorf("tag %s as %s: %w", source, ref, err)
	}
	if refs[named.String()] == id {
		return nil
	}
	refs[named.String()] = id
	if err := s.writeRefs(refs); err != nil {
		return fmt.Errorf("tag %s as %s: %w", source, ref, err)
	}
	s.event("tag", id.String(), FamiliarReference(named.String()), id)
	return nil
}

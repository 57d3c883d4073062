package images

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Save and load speak two formats, and Save writes both at once, as docker
// 25 does: the docker-archive (manifest.json naming each image's config,
// tags and layer tars) and the OCI image layout (oci-layout, index.json,
// blobs/sha256/…). Layers are written uncompressed, so their blob digest is
// their diff ID and old `docker load` versions read them too.

// SaveOptions configure Save.
type SaveOptions struct {
	// Progress, when set, is called once per blob written.
	Progress func(Progress)
}

// archiveManifest is one entry of a docker-archive's manifest.json.
type archiveManifest struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// OCI layout annotations naming an image.
const (
	annotationRefName       = v1.AnnotationRefName
	annotationContainerdRef = "io.containerd.image.name"
)

// Save writes the images named by refs (references or IDs) to w as a tar
// archive that `docker load` and OCI tools read. An image named by a tag
// carries that tag; one named by ID carries none.
func (s *Store) Save(w io.Writer, refs []string, opts SaveOptions) error {
	type saved struct {
		id   digest.Digest
		name string   // as first named in refs
		tags []string // normalised
	}
	allRefs, err := s.readRefs()
	if err != nil {
		return err
	}
	var list []*saved
	byID := map[digest.Digest]*saved{}
	for _, r := range refs {
		id, byRef, err := s.resolve(r, allRefs)
		if err != nil {
			return fmt.Errorf("save %s: %w", r, err)
		}
		sv := byID[id]
		if sv == nil {
			sv = &saved{id: id, name: r}
			byID[id] = sv
			list = append(list, sv)
		}
		if byRef != "" && !containsString(sv.tags, byRef) {
			sv.tags = append(sv.tags, byRef)
		}
	}
	// Every blob is checked before the first byte is written, so that a
	// damaged one never leaves half an archive behind.
	for _, sv := range list {
		if err := s.verifyImage(sv.id); err != nil {
			return fmt.Errorf("save %s: %w", sv.name, WithImageName(err, sv.name))
		}
	}
	aw := &archiveWriter{tw: tar.NewWriter(w), s: s, written: map[digest.Digest]bool{}, progress: opts.Progress}
	var manifests []archiveManifest
	var index []v1.Descriptor
	for _, sv := range list {
		m, descs, err := aw.image(sv.id, sv.tags)
		if err != nil {
			return fmt.Errorf("save %s: %w", sv.id.Encoded()[:12], err)
		}
		manifests = append(manifests, m)
		index = append(index, descs...)
	}
	idx := v1.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: v1.MediaTypeImageIndex, Manifests: index}
	for _, f := range []struct {
		name string
		v    any
	}{
		{"index.json", idx},
		{"manifest.json", manifests},
		{v1.ImageLayoutFile, v1.ImageLayout{Version: v1.ImageLayoutVersion}},
	} {
		data, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		if err := aw.file(f.name, data); err != nil {
			return fmt.Errorf("save: %w", err)
		}
	}
	if err := aw.tw.Close(); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	for _, sv := range list {
		s.idEvent("save", sv.id)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type archiveWriter struct {
	tw       *tar.Writer
	s        *Store
	written  map[digest.Digest]bool
	dirsDone bool
	progress func(Progress)
}

// image writes one image's blobs and returns its manifest.json entry and
// its index.json descriptors (one per tag, or one untagged).
func (aw *archiveWriter) image(id digest.Digest, tags []string) (archiveManifest, []v1.Descriptor, error) {
	s := aw.s
	rec, err := s.readRecord(id)
	if err != nil {
		return archiveManifest{}, nil, err
	}
	stored, err := s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return archiveManifest{}, nil, err
	}
	cfg, err := s.readConfig(id)
	if err != nil {
		return archiveManifest{}, nil, err
	}
	if len(stored.Layers) != len(cfg.RootFS.DiffIDs) {
		return archiveManifest{}, nil, fmt.Errorf("manifest has %d layers, config %d", len(stored.Layers), len(cfg.RootFS.DiffIDs))
	}
	configData, err := os.ReadFile(s.blobPath(id))
	if err != nil {
		return archiveManifest{}, nil, err
	}
	if err := aw.blob(id, configData); err != nil {
		return archiveManifest{}, nil, err
	}
	m := archiveManifest{Config: blobName(id), RepoTags: []string{}, Layers: []string{}}
	om := v1.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageManifest,
		Config:    v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: id, Size: int64(len(configData))},
		Layers:    []v1.Descriptor{},
	}
	for i, l := range stored.Layers {
		diffID := cfg.RootFS.DiffIDs[i]
		size, err := aw.layer(l, diffID)
		if err != nil {
			return archiveManifest{}, nil, err
		}
		m.Layers = append(m.Layers, blobName(diffID))
		om.Layers = append(om.Layers, v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: diffID, Size: size})
	}
	omData, err := json.Marshal(om)
	if err != nil {
		return archiveManifest{}, nil, err
	}
	md := digest.FromBytes(omData)
	if err := aw.blob(md, omData); err != nil {
		return archiveManifest{}, nil, err
	}
	desc := v1.Descriptor{MediaType: v1.MediaTypeImageManifest, Digest: md, Size: int64(len(omData))}
	var descs []v1.Descriptor
	for _, t := range tags {
		m.RepoTags = append(m.RepoTags, FamiliarReference(t))
		d := desc
		d.Annotations = map[string]string{annotationContainerdRef: t}
		if named, err := reference.ParseNormalizedNamed(t); err == nil {
			if tagged, ok := named.(reference.Tagged); ok {
				d.Annotations[annotationRefName] = tagged.Tag()
			}
		}
		descs = append(descs, d)
	}
	if len(descs) == 0 {
		descs = append(descs, desc)
	}
	return m, descs, nil
}

func blobName(d digest.Digest) string {
	return path.Join("blobs", d.Algorithm().String(), d.Encoded())
}

// layer writes a layer uncompressed under its diff ID and returns its size.
func (aw *archiveWriter) layer(blob v1.Descriptor, diffID digest.Digest) (int64, error) {
	s := aw.s
	if aw.written[diffID] {
		fi, err := os.Stat(s.blobPath(diffID))
		if err == nil {
			return fi.Size(), nil
		}
	}
	f, err := s.openBlob(blob.Digest)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	if blob.Digest == diffID {
		fi, err := f.Stat()
		if err != nil {
			return 0, err
		}
		return fi.Size(), aw.stream(diffID, f, fi.Size())
	}
	// A compressed blob: uncompress to tmp/ first, since a tar header
	// needs the size.
	r, err := decompress(f)
	if err != nil {
		return 0, err
	}
	defer func() { _ = r.Close() }()
	tmp, err := s.createTemp("save")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	defer func() { _ = tmp.Close() }()
	size, err := io.Copy(tmp, r)
	if err != nil {
		return 0, fmt.Errorf("uncompress layer %s: %w", blob.Digest, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return size, aw.stream(diffID, tmp, size)
}

func (aw *archiveWriter) blob(d digest.Digest, data []byte) error {
	if aw.written[d] {
		return nil
	}
	if err := aw.dirs(); err != nil {
		return err
	}
	aw.written[d] = true
	return aw.file(blobName(d), data)
}

// stream writes size bytes of r as the blob d, checking the digest.
func (aw *archiveWriter) stream(d digest.Digest, r io.Reader, size int64) error {
	if aw.written[d] {
		return nil
	}
	if err := aw.dirs(); err != nil {
		return err
	}
	aw.written[d] = true
	if err := aw.tw.WriteHeader(fileHeader(blobName(d), size)); err != nil {
		return err
	}
	v := d.Verifier()
	if _, err := io.Copy(io.MultiWriter(aw.tw, v), io.LimitReader(r, size)); err != nil {
		return err
	}
	if !v.Verified() {
		return fmt.Errorf("blob %s: content does not match its digest", d)
	}
	if aw.progress != nil {
		aw.progress(Progress{ID: d.Encoded()[:12], Action: "Saved", Current: size, Total: size})
	}
	return nil
}

func (aw *archiveWriter) dirs() error {
	if aw.dirsDone {
		return nil
	}
	aw.dirsDone = true
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		hdr := &tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Unix(0, 0)}
		if err := aw.tw.WriteHeader(hdr); err != nil {
			return err
		}
	}
	return nil
}

func (aw *archiveWriter) file(name string, data []byte) error {
	if err := aw.tw.WriteHeader(fileHeader(name, int64(len(data)))); err != nil {
		return err
	}
	_, err := aw.tw.Write(data)
	return err
}

func fileHeader(name string, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
}

package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// LoadOptions configure Load and LoadLayout.
type LoadOptions struct {
	// Progress, when set, is called as each layer is read.
	Progress func(Progress)
}

// Loaded is one image a load stored, with the tags it set.
type Loaded struct {
	ID   string   // 64 hex
	Tags []string // familiar form
}

// Docker's media types, which OCI layouts and registries still carry.
const (
	mediaTypeDockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// Load reads a docker-archive (as `docker save` writes) or an OCI image
// layout in a tar, plain or compressed, and stores its images. Each image
// is committed whole or not at all.
func (s *Store) Load(r io.Reader, opts LoadOptions) ([]Loaded, error) {
	spool, err := s.mkdirTemp("load")
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer func() { _ = os.RemoveAll(spool) }()
	dr, err := decompress(r)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer func() { _ = dr.Close() }()
	// The archive is unpacked with the layer extractor: no entry can land
	// outside the spool directory.
	if _, err := applyLayer(spool, dr, whiteoutDelete); err != nil {
		return nil, fmt.Errorf("load: read archive: %w", err)
	}
	return s.LoadLayout(spool, opts)
}

// LoadLayout stores the images of a directory holding an OCI image layout
// or an unpacked docker-archive.
func (s *Store) LoadLayout(dir string, opts LoadOptions) ([]Loaded, error) {
	l := &loader{s: s, dir: dir, progress: opts.Progress}
	if _, err := os.Stat(l.path("manifest.json")); err == nil {
		return l.dockerArchive()
	}
	if _, err := os.Stat(l.path("index.json")); err == nil {
		return l.ociLayout()
	}
	return nil, fmt.Errorf("load: neither manifest.json nor index.json found: not a docker archive or OCI image layout")
}

type loader struct {
	s        *Store
	dir      string
	progress func(Progress)
}

// path resolves name inside the archive directory, symlinks included.
func (l *loader) path(name string) string {
	p, err := securejoin.SecureJoin(l.dir, name)
	if err != nil {
		return l.dir + "/.invalid"
	}
	return p
}

// maxArchiveJSON bounds each manifest.json, index.json, manifest and image
// config a load reads into memory: registries refuse manifests over 4 MiB,
// and real configs are a few KiB.
const maxArchiveJSON = 4 << 20

// open opens the regular file name of the archive: a device node or FIFO
// that a hostile archive shipped is refused, never opened (opening a FIFO
// would block, a device could be the host's disk).
func (l *loader) open(name string) (*os.File, fs.FileInfo, error) {
	p := l.path(name)
	if fi, err := os.Lstat(p); err != nil {
		return nil, nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s in the archive is not a regular file", name)
	}
	f, err := os.OpenFile(p, os.O_RDONLY|unixNoFollow|unixNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, fmt.Errorf("%s in the archive is not a regular file", name)
	}
	return f, fi, nil
}

// read reads the small file name of the archive, at most maxArchiveJSON bytes.
func (l *loader) read(name string) ([]byte, error) {
	f, fi, err := l.open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s from the archive: %w", name, err)
	}
	defer func() { _ = f.Close() }()
	if fi.Size() > maxArchiveJSON {
		return nil, fmt.Errorf("read %s from the archive: %w: %d bytes, more than the %d berth reads", name, ErrTooLarge, fi.Size(), maxArchiveJSON)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxArchiveJSON+1))
	if err != nil {
		return nil, fmt.Errorf("read %s from the archive: %w", name, err)
	}
	if len(data) > maxArchiveJSON {
		return nil, fmt.Errorf("read %s from the archive: %w: more than the %d bytes berth reads", name, ErrTooLarge, maxArchiveJSON)
	}
	return data, nil
}

func (l *loader) dockerArchive() ([]Loaded, error) {
	data, err := l.read("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	var entries []archiveManifest
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("load: parse manifest.json: %w", err)
	}
	var out []Loaded
	for _, e := range entries {
		config, err := l.read(e.Config)
		if err != nil {
			return out, fmt.Errorf("load: %w", err)
		}
		layers := make([]layerSource, len(e.Layers))
		for i, name := range e.Layers {
			layers[i] = layerSource{name: name}
		}
		loaded, err := l.image(config, layers, e.RepoTags)
		if err != nil {
			return out, fmt.Errorf("load: %w", err)
		}
		out = append(out, loaded)
	}
	return out, nil
}

// layerSource is a layer file in the archive and, for OCI layouts, the
// descriptor it must match.
type layerSource struct {
	name string
	desc *v1.Descriptor
}

func (l *loader) ociLayout() ([]Loaded, error) {
	data, err := l.read("index.json")
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	var idx v1.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("load: parse index.json: %w", err)
	}
	var out []Loaded
	byManifest := map[digest.Digest]int{} // manifest → index in out, to merge tags
	for _, desc := range idx.Manifests {
		manifestDesc := desc
		if isIndex(desc.MediaType) {
			nested, err := l.blob(desc)
			if err != nil {
				return out, fmt.Errorf("load: %w", err)
			}
			var ni v1.Index
			if err := json.Unmarshal(nested, &ni); err != nil {
				return out, fmt.Errorf("load: parse index %s: %w", desc.Digest, err)
			}
			if manifestDesc, err = selectPlatform(ni.Manifests, "linux", goArch()); err != nil {
				return out, fmt.Errorf("load: index %s: %w", desc.Digest, err)
			}
		}
		var tags []string
		if ref := layoutRefName(desc.Annotations); ref != "" {
			tags = append(tags, ref)
		}
		if i, ok := byManifest[manifestDesc.Digest]; ok {
			if err := l.addTags(&out[i], tags); err != nil {
				return out, fmt.Errorf("load: %w", err)
			}
			continue
		}
		mdata, err := l.blob(manifestDesc)
		if err != nil {
			return out, fmt.Errorf("load: %w", err)
		}
		var m v1.Manifest
		if err := json.Unmarshal(mdata, &m); err != nil {
			return out, fmt.Errorf("load: parse manifest %s: %w", manifestDesc.Digest, err)
		}
		config, err := l.blob(m.Config)
		if err != nil {
			return out, fmt.Errorf("load: %w", err)
		}
		layers := make([]layerSource, len(m.Layers))
		for i := range m.Layers {
			if err := m.Layers[i].Digest.Validate(); err != nil {
				return out, fmt.Errorf("load: manifest %s: layer %q: %w", manifestDesc.Digest, m.Layers[i].Digest, err)
			}
			layers[i] = layerSource{name: blobName(m.Layers[i].Digest), desc: &m.Layers[i]}
		}
		loaded, err := l.image(config, layers, tags)
		if err != nil {
			return out, fmt.Errorf("load: %w", err)
		}
		byManifest[manifestDesc.Digest] = len(out)
		out = append(out, loaded)
	}
	return out, nil
}

func (l *loader) addTags(loaded *Loaded, tags []string) error {
	for _, t := range tags {
		if err := l.s.Tag(loaded.ID, t); err != nil {
			return err
		}
		loaded.Tags = append(loaded.Tags, FamiliarReference(t))
	}
	return nil
}

func isIndex(mediaType string) bool {
	return mediaType == v1.MediaTypeImageIndex || mediaType == mediaTypeDockerManifestList
}

// layoutRefName reads an image name from OCI layout annotations: the
// containerd name, or a ref.name that is a whole reference. A bare tag
// names no repository and is ignored.
func layoutRefName(annotations map[string]string) string {
	if name := annotations[annotationContainerdRef]; name != "" {
		return name
	}
	name := annotations[annotationRefName]
	if strings.ContainsAny(name, ":/") {
		if _, err := parseTagReference(name); err == nil {
			return name
		}
	}
	return ""
}

// selectPlatform picks the manifest for os/arch from an index.
func selectPlatform(manifests []v1.Descriptor, os, arch string) (v1.Descriptor, error) {
	var seen []string
	for _, m := range manifests {
		if m.Platform == nil {
			continue
		}
		if m.Platform.OS == os && m.Platform.Architecture == arch {
			return m, nil
		}
		seen = append(seen, m.Platform.OS+"/"+m.Platform.Architecture)
	}
	return v1.Descriptor{}, fmt.Errorf("no image for %s/%s (the index has %s)", os, arch, strings.Join(seen, ", "))
}

// blob reads a blob of the layout and checks its digest.
func (l *loader) blob(desc v1.Descriptor) ([]byte, error) {
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("blob %q: %w", desc.Digest, err)
	}
	data, err := l.read(blobName(desc.Digest))
	if err != nil {
		return nil, err
	}
	if digest.FromBytes(data) != desc.Digest {
		return nil, fmt.Errorf("blob %s: content does not match its digest", desc.Digest)
	}
	return data, nil
}

// image stages and commits one image from its config and layer files.
func (l *loader) image(config []byte, layers []layerSource, tags []string) (Loaded, error) {
	var cfg configFile
	if err := json.Unmarshal(config, &cfg); err != nil {
		return Loaded{}, fmt.Errorf("parse image config: %w", err)
	}
	if err := cfg.checkDiffIDs(); err != nil {
		return Loaded{}, err
	}
	if len(cfg.RootFS.DiffIDs) != len(layers) {
		return Loaded{}, fmt.Errorf("image config lists %d layers, the archive %d", len(cfg.RootFS.DiffIDs), len(layers))
	}
	p := newPending()
	defer p.discard()
	p.config = config
	for _, t := range tags {
		named, err := parseTagReference(t)
		if err != nil {
			return Loaded{}, err
		}
		p.refs = append(p.refs, named.String())
	}
	for i, layer := range layers {
		if err := l.stage(p, layer, cfg.RootFS.DiffIDs[i]); err != nil {
			return Loaded{}, err
		}
	}
	id, err := l.s.commit(p)
	if err != nil {
		return Loaded{}, err
	}
	l.s.idEvent("load", id)
	loaded := Loaded{ID: id.Encoded()}
	for _, r := range p.refs {
		loaded.Tags = append(loaded.Tags, FamiliarReference(r))
	}
	return loaded, nil
}

func (l *loader) stage(p *pendingImage, layer layerSource, diffID digest.Digest) error {
	f, fi, err := l.open(layer.name)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("layer %s is missing from the archive", layer.name)
	}
	if err != nil {
		return fmt.Errorf("layer %s: %w", layer.name, err)
	}
	defer func() { _ = f.Close() }()
	var mediaType string
	if layer.desc != nil {
		mediaType = layer.desc.MediaType
		if mediaType == "application/vnd.docker.image.rootfs.diff.tar.gzip" {
			mediaType = v1.MediaTypeImageLayerGzip
		}
	}
	pr := &progressReader{r: f, report: l.progress, id: diffID.Encoded()[:12], action: "Loading layer", total: fi.Size()}
	if err := l.s.stageLayer(p, pr, mediaType, diffID); err != nil {
		return fmt.Errorf("layer %s: %w", layer.name, err)
	}
	pr.done()
	if layer.desc != nil {
		got := p.layers[len(p.layers)-1]
		if got.Digest != layer.desc.Digest {
			return fmt.Errorf("layer %s: content digest %s, the manifest says %s", layer.name, got.Digest, layer.desc.Digest)
		}
	}
	return nil
}

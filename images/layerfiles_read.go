package images

import (
	"archive/tar"
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// LayerFiles analyses the files of an image's layers (AnalyzeLayers),
// read from the layer blobs the store keeps: the same tars whatever the
// storage driver, read without unpacking or mounting anything. Each blob
// is checked against its digest as it is read.
func (s *Store) LayerFiles(refOrID string) (*LayerAnalysis, error) {
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	id, _, err := s.resolve(refOrID, refs)
	if err != nil {
		return nil, fmt.Errorf("layer files of %s: %w", refOrID, err)
	}
	rec, err := s.readRecord(id)
	if err != nil {
		return nil, fmt.Errorf("layer files of %s: %w", refOrID, err)
	}
	cfg, err := s.readConfig(id)
	if err != nil {
		return nil, fmt.Errorf("layer files of %s: %w", refOrID, err)
	}
	m, err := s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return nil, fmt.Errorf("layer files of %s: %w", refOrID, err)
	}
	if len(m.Layers) != len(cfg.RootFS.DiffIDs) {
		return nil, fmt.Errorf("layer files of %s: manifest has %d layers, config %d", refOrID, len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	steps := layerSteps(cfg.History)
	sources := make([]LayerSource, len(m.Layers))
	for i, l := range m.Layers {
		headers, err := s.blobHeaders(l.Digest)
		if err != nil {
			return nil, fmt.Errorf("layer files of %s: layer %d: %w", refOrID, i+1, WithImageName(err, refOrID))
		}
		sources[i] = LayerSource{DiffID: cfg.RootFS.DiffIDs[i].String(), Headers: headers}
		if i < len(steps) {
			sources[i].Instruction = steps[i]
		}
	}
	return AnalyzeLayers(sources), nil
}

// layerSteps is the instruction of each layer's history step, bottom first.
func layerSteps(history []v1.History) []string {
	var out []string
	for _, h := range history {
		if !h.EmptyLayer {
			out = append(out, h.CreatedBy)
		}
	}
	return out
}

// blobHeaders lists the entries of a stored layer blob.
func (s *Store) blobHeaders(blob digest.Digest) ([]*tar.Header, error) {
	f, err := s.openBlob(blob)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	vr := newVerifyingReader(f, blob)
	headers, err := ReadLayerHeaders(vr)
	if verr := vr.check(); verr != nil {
		return nil, verr
	}
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", blob, err)
	}
	return headers, nil
}

// ReadLayerHeaders lists the entries of a layer tar, plain or
// compressed, skipping their content.
func ReadLayerHeaders(r io.Reader) ([]*tar.Header, error) {
	dr, err := decompress(r)
	if err != nil {
		return nil, err
	}
	defer func() { _ = dr.Close() }()
	tr := tar.NewReader(dr)
	var out []*tar.Header
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read layer tar: %w", err)
		}
		out = append(out, h)
	}
}

// ArchiveLayerFiles analyses the files of the first image of a
// docker-archive stream (what `docker save` and GET /images/{name}/get
// write), read as it arrives: small JSON files are kept, every other
// file is read as a layer tar, and manifest.json, wherever it comes in
// the stream, says which are the image's.
func ArchiveLayerFiles(r io.Reader) (*LayerAnalysis, error) {
	dr, err := decompress(r)
	if err != nil {
		return nil, fmt.Errorf("read image archive: %w", err)
	}
	defer func() { _ = dr.Close() }()
	tr := tar.NewReader(dr)
	jsons := map[string][]byte{}
	layers := map[string][]*tar.Header{}
	links := map[string]string{}
	unread := map[string]error{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read image archive: %w", err)
		}
		name := path.Clean(h.Name)
		switch h.Typeflag {
		case tar.TypeSymlink:
			links[name] = path.Join(path.Dir(name), h.Linkname)
			continue
		case tar.TypeLink:
			links[name] = path.Clean(h.Linkname)
			continue
		case tar.TypeReg:
		default:
			continue
		}
		br := bufio.NewReader(tr)
		if first, _ := br.Peek(1); len(first) == 1 && (first[0] == '{' || first[0] == '[') && h.Size <= maxArchiveJSON {
			if jsons[name], err = io.ReadAll(br); err != nil {
				return nil, fmt.Errorf("read %s from the image archive: %w", name, err)
			}
			continue
		}
		// Not every other file is a layer (an old archive's VERSION): a
		// file that cannot be read is an error only if the image names it.
		layers[name], unread[name] = ReadLayerHeaders(br)
	}
	resolve := func(name string) string {
		name = path.Clean(name)
		for range 8 { // a chain of links, as old docker-archives share layer tars
			to, ok := links[name]
			if !ok {
				break
			}
			name = to
		}
		return name
	}
	data, ok := jsons["manifest.json"]
	if !ok {
		return nil, fmt.Errorf("read image archive: %w: no manifest.json", ErrDamaged)
	}
	var manifest []archiveManifest
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("read image archive: manifest.json: %w", err)
	}
	if len(manifest) == 0 {
		return nil, fmt.Errorf("read image archive: %w: manifest.json lists no image", ErrDamaged)
	}
	var cfg configFile
	if err := json.Unmarshal(jsons[resolve(manifest[0].Config)], &cfg); err != nil {
		return nil, fmt.Errorf("read image archive: config %s: %w", manifest[0].Config, err)
	}
	steps := layerSteps(cfg.History)
	sources := make([]LayerSource, len(manifest[0].Layers))
	for i, name := range manifest[0].Layers {
		headers, ok := layers[resolve(name)]
		if err := unread[resolve(name)]; err != nil {
			return nil, fmt.Errorf("read image archive: layer %s: %w", name, err)
		}
		if !ok {
			return nil, fmt.Errorf("read image archive: %w: layer %s missing", ErrDamaged, name)
		}
		sources[i] = LayerSource{Headers: headers}
		if i < len(cfg.RootFS.DiffIDs) {
			sources[i].DiffID = cfg.RootFS.DiffIDs[i].String()
		}
		if i < len(steps) {
			sources[i].Instruction = steps[i]
		}
	}
	return AnalyzeLayers(sources), nil
}

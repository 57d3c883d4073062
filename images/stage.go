package images

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// newPending starts an image to be staged under tmp/.
func newPending() *pendingImage {
	return &pendingImage{blobs: map[digest.Digest]string{}, unpacked: map[digest.Digest]string{}}
}

// stageLayer reads one layer blob from r (a plain or compressed tar) on
// top of the layers staged so far: the blob goes to tmp/, the layer is
// unpacked to tmp/ unless its chain is already stored. wantDiffID, when
// known, is checked against the uncompressed content; mediaType "" is
// detected from the compression.
func (s *Store) stageLayer(p *pendingImage, r io.Reader, mediaType string, wantDiffID digest.Digest) error {
	return s.stageLayerBlob(p, r, "", "", mediaType, wantDiffID)
}

// stageLayerBlob is stageLayer for a blob that may already sit in a file
// under tmp/ (blobPath, which r reads): then the file itself becomes the
// blob instead of a copy. verified, when set, is the blob's digest as
// already checked, and is not computed again.
func (s *Store) stageLayerBlob(p *pendingImage, r io.Reader, blobPath string, verified digest.Digest, mediaType string, wantDiffID digest.Digest) error {
	var parent digest.Digest
	if n := len(p.chains); n > 0 {
		parent = p.chains[n-1]
	}
	sink := io.Discard
	keep := false
	if blobPath == "" {
		blob, err := s.createTemp("blob")
		if err != nil {
			return fmt.Errorf("stage layer: %w", err)
		}
		blobPath = blob.Name()
		defer func() {
			_ = blob.Close()
			if !keep {
				_ = os.Remove(blobPath)
			}
		}()
		sink = &syncWriter{f: blob}
	}
	blobHash := sha256.New()
	var blobSize countWriter
	sinks := []io.Writer{sink, &blobSize}
	if verified == "" {
		sinks = append(sinks, blobHash)
	}
	src := bufio.NewReaderSize(io.TeeReader(r, io.MultiWriter(sinks...)), 64<<10)
	head, _ := src.Peek(6)
	plain := detectCompression(head) == uncompressed
	if mediaType == "" {
		mediaType = layerMediaType(detectCompression(head))
	}
	dr, err := decompress(src)
	if err != nil {
		return fmt.Errorf("stage layer: %w", err)
	}
	defer func() { _ = dr.Close() }()
	// An uncompressed blob is its own content: one hash serves both.
	diffHash := sha256.New()
	content := io.Reader(dr)
	if !plain {
		content = io.TeeReader(dr, diffHash)
	}

	var dir string
	var size int64
	if wantDiffID != "" && s.hasLayer(chainID(parent, wantDiffID)) {
		size, err = tarContentSize(content)
	} else {
		dir, size, err = s.unpackLayer(content, s.stagedDiffDir(p, parent))
	}
	if err == nil {
		_, err = io.Copy(io.Discard, content) // the tar's trailing padding
	}
	if err == nil {
		_, err = io.Copy(io.Discard, src) // the compressed stream's trailer
	}
	if sw, ok := sink.(*syncWriter); ok && err == nil {
		err = sw.f.Sync()
	}
	if err != nil {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
		return fmt.Errorf("stage layer: %w", err)
	}
	blobDigest := verified
	if blobDigest == "" {
		blobDigest = digest.NewDigest(digest.SHA256, blobHash)
	}
	diffID := blobDigest
	if !plain {
		diffID = digest.NewDigest(digest.SHA256, diffHash)
	}
	if wantDiffID != "" && diffID != wantDiffID {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
		return fmt.Errorf("stage layer: content digest %s, want %s", diffID, wantDiffID)
	}
	chain := chainID(parent, diffID)
	if _, dup := p.blobs[blobDigest]; !dup {
		p.blobs[blobDigest] = blobPath
		keep = true
	}
	if dir != "" {
		if old, dup := p.unpacked[chain]; dup {
			_ = os.RemoveAll(old)
		}
		p.unpacked[chain] = dir
	}
	p.chains = append(p.chains, chain)
	p.diffIDs = append(p.diffIDs, diffID)
	p.layers = append(p.layers, v1.Descriptor{MediaType: mediaType, Digest: blobDigest, Size: int64(blobSize)})
	p.layerSizes = append(p.layerSizes, size)
	return nil
}

// stagedDiffDir is where the parent layer's files are: staged under tmp/
// or stored. Only vfs reads it, to copy the parent.
func (s *Store) stagedDiffDir(p *pendingImage, parent digest.Digest) string {
	if parent == "" {
		return ""
	}
	if dir, ok := p.unpacked[parent]; ok {
		return filepath.Join(dir, "diff")
	}
	return s.diffDir(parent)
}

func chainID(parent, diffID digest.Digest) digest.Digest {
	if parent == "" {
		return diffID
	}
	return identity.ChainID([]digest.Digest{parent, diffID})
}

func layerMediaType(c compression) string {
	switch c {
	case compressedGzip:
		return v1.MediaTypeImageLayerGzip
	case compressedZstd:
		return v1.MediaTypeImageLayerZstd
	default:
		// Uncompressed, or xz and bzip2, which have no OCI layer media type.
		return v1.MediaTypeImageLayer
	}
}

// tarContentSize reads a tar stream through and sums its file content.
func tarContentSize(r io.Reader) (int64, error) {
	tr := tar.NewReader(r)
	var n int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		if hdr.Typeflag == tar.TypeReg {
			n += hdr.Size
		}
	}
}

// syncWriter is the file a blob is written to, synced before commit.
type syncWriter struct{ f *os.File }

func (w *syncWriter) Write(b []byte) (int, error) { return w.f.Write(b) }

type countWriter int64

func (c *countWriter) Write(b []byte) (int, error) {
	*c += countWriter(len(b))
	return len(b), nil
}

package images

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/distribution/reference"
	ggcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// PushOptions configure Push.
type PushOptions struct {
	Registry RegistryOptions
	// Progress, when set, gets per-layer lines: "Pushing" (bytes),
	// "Pushed", and "Layer already exists" for layers the registry had.
	// Calls come from several goroutines.
	Progress func(Progress)
}

// Push uploads an image to a registry. dest "" pushes to source's own
// tag (`docker push registry/app:1`); otherwise source (a reference or ID)
// goes to dest (`podman push app:1 registry/app:1`). It returns the
// manifest digest and records it as a repo digest of the image.
func (s *Store) Push(ctx context.Context, source, dest string, opts PushOptions) (string, error) {
	if dest == "" {
		dest = source
	}
	named, err := parseTagReference(dest)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", dest, err)
	}
	refs, err := s.readRefs()
	if err != nil {
		return "", err
	}
	id, _, err := s.resolve(source, refs)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", source, err)
	}
	if err := s.verifyImage(id); err != nil {
		return "", fmt.Errorf("push %s: %w", source, WithImageName(err, source))
	}
	tracker := &pushTracker{progress: opts.Progress, sent: map[digest.Digest]bool{}}
	img, layers, err := s.remoteImage(id, tracker)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", source, err)
	}
	eps, err := opts.Registry.endpoints(named)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", dest, err)
	}
	ep := eps[len(eps)-1] // never a mirror
	ro := opts.Registry
	err = remote.Write(ep.ref, img,
		remote.WithContext(ctx),
		remote.WithAuth(ro.auth(ep.host)),
		remote.WithTransport(ro.transport(ep.ref.Context().RegistryStr())),
		remote.WithJobs(ro.jobs()),
	)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", FamiliarReference(named.String()), err)
	}
	tracker.finish(layers)
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	byDigest, err := reference.WithDigest(reference.TrimNamed(named), digest.Digest(d.String()))
	if err != nil {
		return "", err
	}
	unlock, err := s.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	if refs, err = s.readRefs(); err != nil {
		return "", err
	}
	refs[byDigest.String()] = id
	if err := s.writeRefs(refs); err != nil {
		return "", err
	}
	name := FamiliarReference(named.String())
	s.event("push", name, name, id)
	return d.String(), nil
}

// pushTracker reports per-layer push progress and remembers which layers
// were uploaded.
type pushTracker struct {
	progress func(Progress)
	mu       sync.Mutex
	sent     map[digest.Digest]bool
}

func (t *pushTracker) report(d digest.Digest, action string, cur, total int64) {
	if t.progress != nil {
		t.progress(Progress{ID: d.Encoded()[:12], Action: action, Current: cur, Total: total})
	}
}

// finish reports the layers the registry already had.
func (t *pushTracker) finish(layers []v1.Descriptor) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range layers {
		if !t.sent[l.Digest] {
			t.report(l.Digest, "Layer already exists", l.Size, l.Size)
		}
	}
}

// remoteImage presents a stored image to go-containerregistry: its
// manifest, config and layer blobs exactly as stored.
func (s *Store) remoteImage(id digest.Digest, tracker *pushTracker) (ggcrv1.Image, []v1.Descriptor, error) {
	rec, err := s.readRecord(id)
	if err != nil {
		return nil, nil, err
	}
	manifest, err := os.ReadFile(s.blobPath(rec.Manifest.Digest))
	if err != nil {
		return nil, nil, err
	}
	config, err := os.ReadFile(s.blobPath(id))
	if err != nil {
		return nil, nil, err
	}
	m, err := s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return nil, nil, err
	}
	mediaType := rec.Manifest.MediaType
	if m.MediaType != "" {
		mediaType = m.MediaType
	}
	layers := map[digest.Digest]v1.Descriptor{}
	for _, l := range m.Layers {
		layers[l.Digest] = l
	}
	if tracker == nil {
		tracker = &pushTracker{sent: map[digest.Digest]bool{}}
	}
	img, err := partial.CompressedToImage(&storedImage{s: s, manifest: manifest, config: config, mediaType: mediaType, layers: layers, tracker: tracker})
	return img, m.Layers, err
}

type storedImage struct {
	s         *Store
	manifest  []byte
	config    []byte
	mediaType string
	layers    map[digest.Digest]v1.Descriptor
	tracker   *pushTracker
}

func (i *storedImage) RawConfigFile() ([]byte, error) { return i.config, nil }
func (i *storedImage) RawManifest() ([]byte, error)   { return i.manifest, nil }
func (i *storedImage) MediaType() (types.MediaType, error) {
	return types.MediaType(i.mediaType), nil
}

func (i *storedImage) LayerByDigest(h ggcrv1.Hash) (partial.CompressedLayer, error) {
	d := digest.Digest(h.String())
	desc, ok := i.layers[d]
	if !ok {
		return nil, fmt.Errorf("no layer %s in the image", h)
	}
	return &storedLayer{s: i.s, desc: desc, tracker: i.tracker}, nil
}

type storedLayer struct {
	s       *Store
	desc    v1.Descriptor
	tracker *pushTracker
}

func (l *storedLayer) Digest() (ggcrv1.Hash, error) { return ggcrv1.NewHash(l.desc.Digest.String()) }
func (l *storedLayer) Size() (int64, error)         { return l.desc.Size, nil }
func (l *storedLayer) MediaType() (types.MediaType, error) {
	return types.MediaType(l.desc.MediaType), nil
}

// Compressed opens the blob for upload, reporting progress as it is read.
func (l *storedLayer) Compressed() (io.ReadCloser, error) {
	f, err := l.s.openBlob(l.desc.Digest)
	if err != nil {
		return nil, err
	}
	t := l.tracker
	t.mu.Lock()
	t.sent[l.desc.Digest] = true
	t.mu.Unlock()
	d, size := l.desc.Digest, l.desc.Size
	pw := &progressWriter{w: io.Discard, report: func(n int64) { t.report(d, "Pushing", n, size) }}
	return &pushReader{f: f, tee: io.TeeReader(f, pw), pw: pw, size: size, done: func() { t.report(d, "Pushed", size, size) }}, nil
}

// pushReader is a blob being uploaded. It is only a Reader and a Closer,
// so that nothing copies around its Read (as *os.File's WriteTo would).
type pushReader struct {
	f    *os.File
	tee  io.Reader
	pw   *progressWriter
	size int64
	done func()
}

func (r *pushReader) Read(b []byte) (int, error) {
	n, err := r.tee.Read(b)
	if r.pw.n == r.size && r.done != nil {
		r.done()
		r.done = nil
	}
	return n, err
}

func (r *pushReader) Close() error { return r.f.Close() }

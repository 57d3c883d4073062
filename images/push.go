package images

import (
	"context"
	"fmt"
	"io"
	"os"

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
	// Progress, when set, gets the bytes uploaded so far of the whole image.
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
	img, err := s.remoteImage(id)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", source, err)
	}
	eps, err := opts.Registry.endpoints(named)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", dest, err)
	}
	ep := eps[len(eps)-1] // never a mirror
	ro := opts.Registry
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(ro.auth(ep.host)),
		remote.WithTransport(ro.transport(ep.ref.Context().RegistryStr())),
		remote.WithJobs(ro.jobs()),
	}
	done := make(chan struct{})
	if opts.Progress != nil {
		updates := make(chan ggcrv1.Update, 16)
		ropts = append(ropts, remote.WithProgress(updates))
		go func() {
			defer close(done)
			for u := range updates {
				opts.Progress(Progress{ID: FamiliarReference(named.String()), Action: "Pushing", Current: u.Complete, Total: u.Total})
			}
		}()
	} else {
		close(done)
	}
	err = remote.Write(ep.ref, img, ropts...)
	<-done
	if err != nil {
		return "", fmt.Errorf("push %s: %w", FamiliarReference(named.String()), err)
	}
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
	return d.String(), nil
}

// remoteImage presents a stored image to go-containerregistry: its
// manifest, config and layer blobs exactly as stored.
func (s *Store) remoteImage(id digest.Digest) (ggcrv1.Image, error) {
	rec, err := s.readRecord(id)
	if err != nil {
		return nil, err
	}
	manifest, err := os.ReadFile(s.blobPath(rec.Manifest.Digest))
	if err != nil {
		return nil, err
	}
	config, err := os.ReadFile(s.blobPath(id))
	if err != nil {
		return nil, err
	}
	m, err := s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return nil, err
	}
	mediaType := rec.Manifest.MediaType
	if m.MediaType != "" {
		mediaType = m.MediaType
	}
	layers := map[digest.Digest]v1.Descriptor{}
	for _, l := range m.Layers {
		layers[l.Digest] = l
	}
	return partial.CompressedToImage(&storedImage{s: s, manifest: manifest, config: config, mediaType: mediaType, layers: layers})
}

type storedImage struct {
	s         *Store
	manifest  []byte
	config    []byte
	mediaType string
	layers    map[digest.Digest]v1.Descriptor
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
	return &storedLayer{s: i.s, desc: desc}, nil
}

type storedLayer struct {
	s    *Store
	desc v1.Descriptor
}

func (l *storedLayer) Digest() (ggcrv1.Hash, error) { return ggcrv1.NewHash(l.desc.Digest.String()) }
func (l *storedLayer) Size() (int64, error)         { return l.desc.Size, nil }
func (l *storedLayer) MediaType() (types.MediaType, error) {
	return types.MediaType(l.desc.MediaType), nil
}
func (l *storedLayer) Compressed() (io.ReadCloser, error) { return l.s.openBlob(l.desc.Digest) }

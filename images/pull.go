package images

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

// PullOptions configure Pull.
type PullOptions struct {
	Registry RegistryOptions
	// Progress, when set, gets per-layer lines: "Pulling fs layer",
	// "Downloading" (bytes), "Download complete", "Already exists",
	// "Extracting", "Pull complete". Calls come from several goroutines.
	Progress func(Progress)
}

// pullAttempts is how often one blob download is tried; each retry resumes
// where the last stopped.
const pullAttempts = 4

// Pull fetches an image (by tag or digest; from a multi-platform index,
// this machine's platform) and stores it. Every blob is checked against
// its digest and size before it is committed; an interrupted download
// resumes on retry and leaves no blob visible.
func (s *Store) Pull(ctx context.Context, ref string, opts PullOptions) (*Image, error) {
	named, err := ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	eps, err := opts.Registry.endpoints(named)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	var errs []error
	for _, ep := range eps {
		img, err := s.pullFrom(ctx, named, ep, opts)
		if err == nil {
			name := FamiliarReference(named.String())
			s.event("pull", name, name, digest.NewDigestFromEncoded(digest.SHA256, img.ID))
			return img, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", ep.ref.Context().RegistryStr(), err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("pull %s: %w", FamiliarReference(named.String()), errors.Join(errs...))
}

func (s *Store) pullFrom(ctx context.Context, named reference.Named, ep endpoint, opts PullOptions) (*Image, error) {
	ro := opts.Registry
	auth := ro.auth(ep.host)
	rt := ro.transport(ep.ref.Context().RegistryStr())
	platform := ggcrv1.Platform{OS: "linux", Architecture: goArch()}
	desc, err := remote.Get(ep.ref, remote.WithContext(ctx), remote.WithAuth(auth), remote.WithTransport(rt), remote.WithPlatform(platform))
	if err != nil {
		return nil, err
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	rawManifest, err := img.RawManifest()
	if err != nil {
		return nil, err
	}
	var manifest v1.Manifest
	if err := json.Unmarshal(rawManifest, &manifest); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return nil, err
	}
	if got := digest.FromBytes(rawConfig); got != manifest.Config.Digest {
		return nil, fmt.Errorf("config %s: content does not match its digest (got %s)", manifest.Config.Digest, got)
	}
	var cfg configFile
	if err := json.Unmarshal(rawConfig, &cfg); err != nil {
		return nil, fmt.Errorf("parse image config: %w", err)
	}
	if err := cfg.checkDiffIDs(); err != nil {
		return nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(manifest.Layers) {
		return nil, fmt.Errorf("manifest has %d layers, config %d", len(manifest.Layers), len(cfg.RootFS.DiffIDs))
	}

	// Download the missing blobs, a few at a time.
	blobRT, err := transport.NewWithContext(ctx, ep.ref.Context().Registry, auth, rt, []string{ep.ref.Context().Scope(transport.PullScope)})
	if err != nil {
		return nil, err
	}
	fetch := &blobFetcher{s: s, client: &http.Client{Transport: blobRT}, repo: ep.ref.Context(), progress: opts.Progress}
	files := make([]string, len(manifest.Layers))
	defer func() {
		for _, f := range files {
			if f != "" {
				_ = os.Remove(f)
			}
		}
	}()
	var wg sync.WaitGroup
	sem := make(chan struct{}, ro.jobs())
	errs := make([]error, len(manifest.Layers))
	for i, l := range manifest.Layers {
		if err := l.Digest.Validate(); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		if s.verifyBlob(l.Digest) == nil { // a damaged copy is fetched again
			fetch.report(l.Digest, "Already exists", 0, l.Size)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			files[i], errs[i] = fetch.blob(ctx, l)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	p := newPending()
	defer p.discard()
	p.config = rawConfig
	p.rawManifest = rawManifest
	p.manifestMediaType = manifest.MediaType
	if p.manifestMediaType == "" {
		p.manifestMediaType = string(desc.MediaType)
	}
	for i, l := range manifest.Layers {
		fetch.report(l.Digest, "Extracting", 0, l.Size)
		if err := s.stageFetched(p, files[i], l, cfg.RootFS.DiffIDs[i]); err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		if p.blobs[l.Digest] == files[i] {
			files[i] = "" // the pending image owns it now
		}
		fetch.report(l.Digest, "Pull complete", l.Size, l.Size)
	}
	// The references: the tag asked for, and the digest it resolved to.
	repo := reference.TrimNamed(named)
	topDigest := digest.Digest(desc.Digest.String())
	if d, ok := named.(reference.Digested); ok {
		topDigest = d.Digest()
	} else {
		p.refs = append(p.refs, named.String())
	}
	byDigest, err := reference.WithDigest(repo, topDigest)
	if err != nil {
		return nil, err
	}
	p.refs = append(p.refs, byDigest.String())
	id, err := s.commit(p)
	if err != nil {
		return nil, err
	}
	if id != manifest.Config.Digest {
		return nil, fmt.Errorf("stored image %s, the manifest names %s", id, manifest.Config.Digest)
	}
	return s.Lookup(id.String())
}

// stageFetched stages a downloaded blob file, or the stored blob when it
// was already there.
func (s *Store) stageFetched(p *pendingImage, file string, l v1.Descriptor, diffID digest.Digest) error {
	path := file
	if path == "" {
		path = s.blobPath(l.Digest)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if file == "" {
		return s.stageLayer(p, f, l.MediaType, diffID)
	}
	return s.stageLayerBlob(p, f, file, l.Digest, l.MediaType, diffID)
}

// blobFetcher downloads blobs of one repository with resume and checks.
type blobFetcher struct {
	s        *Store
	client   *http.Client
	repo     name.Repository
	progress func(Progress)
}

func (f *blobFetcher) report(d digest.Digest, action string, cur, total int64) {
	if f.progress != nil {
		f.progress(Progress{ID: d.Encoded()[:12], Action: action, Current: cur, Total: total})
	}
}

// partialPrefix names the partial downloads in tmp/: partial-<hex>, under
// a name of no process, so that the next pull of the blob resumes it.
const partialPrefix = "partial-"

// inUse reports whether a pull holds the partial download at path.
func inUse(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }() // read-only
	// A lock that cannot be taken, or tried, keeps the file.
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil
}

// blob downloads one blob into tmp/, resuming a partial download left by
// an earlier attempt, and returns the file once its size and digest match.
func (f *blobFetcher) blob(ctx context.Context, l v1.Descriptor) (string, error) {
	path := filepath.Join(f.s.tmpDir(), partialPrefix+l.Digest.Encoded())
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	defer func() { _ = file.Close() }()
	// Two pulls of one blob take turns on its partial file.
	if err := unix.Flock(int(file.Fd()), unix.LOCK_EX); err != nil {
		return "", err
	}
	f.report(l.Digest, "Pulling fs layer", 0, l.Size)
	var got digest.Digest
	var lastErr error
	for attempt := 0; attempt < pullAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(time.Duration(100<<attempt) * time.Millisecond):
			}
		}
		got, lastErr = f.fetch(ctx, file, l)
		if lastErr == nil {
			break
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
	}
	if lastErr != nil {
		return "", fmt.Errorf("download %s: %w", l.Digest, lastErr)
	}
	if err := checkBlob(file, l, got); err != nil {
		_ = os.Remove(path)
		return "", err
	}
	// A name of its own, so the partial file is free for others.
	final := f.s.tmpName("pulled-" + l.Digest.Encoded() + "-" + randomHex(4))
	if err := os.Rename(path, final); err != nil {
		return "", err
	}
	f.report(l.Digest, "Download complete", l.Size, l.Size)
	return final, nil
}

// fetch appends the rest of the blob to file with a Range request (or
// starts over when the registry ignores ranges) and returns the digest of
// the whole file.
func (f *blobFetcher) fetch(ctx context.Context, file *os.File, l v1.Descriptor) (digest.Digest, error) {
	have, err := file.Seek(0, io.SeekEnd)
	if err != nil {
		return "", err
	}
	if have > l.Size {
		if err := file.Truncate(0); err != nil {
			return "", err
		}
		have = 0
	}
	h := sha256.New()
	if have > 0 {
		// Hash what an earlier attempt left.
		if _, err := io.Copy(h, io.NewSectionReader(file, 0, have)); err != nil {
			return "", err
		}
		if have == l.Size {
			return digest.NewDigest(digest.SHA256, h), nil
		}
	}
	reg := f.repo.Registry
	u := fmt.Sprintf("%s://%s/v2/%s/blobs/%s", reg.Scheme(), reg.RegistryStr(), f.repo.RepositoryStr(), l.Digest)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-"+strconv.FormatInt(l.Size-1, 10))
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK:
		if have > 0 {
			if err := file.Truncate(0); err != nil {
				return "", err
			}
			if _, err := file.Seek(0, io.SeekStart); err != nil {
				return "", err
			}
			have = 0
			h.Reset()
		}
	case http.StatusRequestedRangeNotSatisfiable:
		// The next attempt starts over.
		if err := file.Truncate(0); err != nil {
			return "", err
		}
		return "", fmt.Errorf("GET blob: %s", resp.Status)
	default:
		return "", fmt.Errorf("GET blob: %s", resp.Status)
	}
	w := &progressWriter{w: io.MultiWriter(file, h), n: have, report: func(n int64) { f.report(l.Digest, "Downloading", n, l.Size) }}
	// One byte more than expected is enough to catch an oversized blob.
	if _, err := io.Copy(w, io.LimitReader(resp.Body, l.Size-have+1)); err != nil {
		return "", err
	}
	return digest.NewDigest(digest.SHA256, h), nil
}

// checkBlob checks a downloaded blob's size and digest.
func checkBlob(file *os.File, l v1.Descriptor, got digest.Digest) error {
	fi, err := file.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != l.Size {
		return fmt.Errorf("blob %s: %d bytes, the manifest says %d", l.Digest, fi.Size(), l.Size)
	}
	if got != l.Digest {
		return fmt.Errorf("blob %s: content does not match its digest (got %s)", l.Digest, got)
	}
	return nil
}

// progressWriter counts bytes written and reports every 512 KiB.
type progressWriter struct {
	w       io.Writer
	n, last int64
	report  func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	if p.n-p.last >= 512<<10 {
		p.last = p.n
		p.report(p.n)
	}
	return n, err
}

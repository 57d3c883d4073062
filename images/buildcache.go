package images

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// The build cache maps a step's key (the state before the step and the
// step with its inputs) to the layer stack after it. A record keeps its
// layers and blobs alive until the cache is pruned.

// layerStack is the layers of a build state, bottom first.
type layerStack struct {
	Layers  []v1.Descriptor `json:"layers"`
	DiffIDs []digest.Digest `json:"diffIDs"`
	Chains  []digest.Digest `json:"chains"`
	Sizes   []int64         `json:"sizes"`
}

func (l layerStack) clone() layerStack {
	return layerStack{
		Layers:  append([]v1.Descriptor{}, l.Layers...),
		DiffIDs: append([]digest.Digest{}, l.DiffIDs...),
		Chains:  append([]digest.Digest{}, l.Chains...),
		Sizes:   append([]int64{}, l.Sizes...),
	}
}

type cacheRecord struct {
	Stack   layerStack `json:"stack"`
	Created time.Time  `json:"created"`
}

func (s *Store) cacheDir() string { return filepath.Join(s.root, "buildcache") }

func (s *Store) cachePath(key string) string { return filepath.Join(s.cacheDir(), key+".json") }

// cacheKey hashes the parts that decide a step's result.
func cacheKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cacheLookup returns the stack a cached step produced, if its layers are
// all still stored (unpacking any missing for this driver).
func (s *Store) cacheLookup(key string) (*layerStack, bool) {
	var rec cacheRecord
	if err := readJSON(s.cachePath(key), &rec); err != nil {
		return nil, false
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, false
	}
	defer unlock()
	if err := s.ensureStack(rec.Stack); err != nil {
		return nil, false
	}
	return &rec.Stack, true
}

// ensureStack unpacks any layer of the stack missing for this driver; the
// caller holds the lock.
func (s *Store) ensureStack(st layerStack) error {
	for i, c := range st.Chains {
		if s.hasLayer(c) {
			continue
		}
		var parent digest.Digest
		if i > 0 {
			parent = st.Chains[i-1]
		}
		if err := s.unpackBlob(st.Layers[i].Digest, parent, c); err != nil {
			return err
		}
	}
	return nil
}

// commitStep makes a staged layer visible and records it in the cache
// under key, in one step under the lock.
func (s *Store) commitStep(p *pendingImage, key string, st layerStack) error {
	if err := syncFS(s.tmpDir()); err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	for d, path := range p.blobs {
		if err := s.commitBlob(path, d); err != nil {
			return err
		}
		delete(p.blobs, d)
	}
	for chain, dir := range p.unpacked {
		if err := s.commitLayer(dir, chain); err != nil {
			return err
		}
		delete(p.unpacked, chain)
	}
	if err := os.MkdirAll(s.cacheDir(), 0o700); err != nil {
		return err
	}
	return writeJSONAtomic(s.cachePath(key), cacheRecord{Stack: st, Created: time.Now().UTC()})
}

// cacheRecords lists the build cache; the caller holds the lock.
func (s *Store) cacheRecords() (recs map[string]cacheRecord, complete bool, err error) {
	entries, err := os.ReadDir(s.cacheDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := map[string]cacheRecord{}
	complete = true
	for _, e := range entries {
		var rec cacheRecord
		if err := readJSON(filepath.Join(s.cacheDir(), e.Name()), &rec); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				complete = false // a damaged entry: what it keeps is unknown
			}
			continue
		}
		out[e.Name()] = rec
	}
	return out, complete, nil
}

// PruneBuildCache empties the build cache and removes the layers and blobs
// only it kept. It returns the bytes of layer content removed.
func (s *Store) PruneBuildCache() (int64, error) {
	unlock, err := s.lock()
	if err != nil {
		return 0, err
	}
	defer unlock()
	recs, _, err := s.cacheRecords()
	if err != nil {
		return 0, fmt.Errorf("prune build cache: %w", err)
	}
	sizes := map[digest.Digest]int64{}
	for _, rec := range recs {
		for i, c := range rec.Stack.Chains {
			sizes[c] = rec.Stack.Sizes[i]
		}
	}
	// Every entry goes, those that could not be read too.
	entries, err := os.ReadDir(s.cacheDir())
	if ignoreNotExist(err) != nil {
		return 0, fmt.Errorf("prune build cache: %w", err)
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(s.cacheDir(), e.Name())); ignoreNotExist(err) != nil {
			return 0, fmt.Errorf("prune build cache: %w", err)
		}
	}
	removed, err := s.gc()
	if err != nil {
		return 0, fmt.Errorf("prune build cache: %w", err)
	}
	var n int64
	for _, c := range removed {
		n += sizes[c]
	}
	return n, nil
}

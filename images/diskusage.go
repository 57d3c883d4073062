package images

import (
	"fmt"
	"os"
	"path/filepath"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

// DiskUsage is what `system df` shows for images and container layers.
type DiskUsage struct {
	Images     []ImageUsage
	Containers []ContainerUsage
	// LayersSize is the bytes of unpacked layers on disk, each counted once.
	LayersSize int64
	// BlobsSize is the bytes of stored blobs (layer tars, configs, manifests).
	BlobsSize int64
	// BuildCacheEntries counts cached build steps; BuildCacheSize is the
	// content bytes of layers only the build cache keeps.
	BuildCacheEntries int
	BuildCacheSize    int64
	// BuildCache is each cached build step, for `system df -v`.
	BuildCache []BuildCacheUsage
}

// ImageUsage is one image's share of the disk. Size = SharedSize + UniqueSize.
type ImageUsage struct {
	ID         string
	RepoTags   []string
	Size       int64 // content bytes of all its layers
	SharedSize int64 // bytes in layers other images also use
	UniqueSize int64 // bytes only this image uses
	Containers int   // containers whose rootfs sits on it
}

// ContainerUsage is one container's writable layer.
type ContainerUsage struct {
	ID    string
	Image string // image ID
	Size  int64  // bytes in the writable layer, as RootfsSize
}

// DiskUsage measures images, container layers, unpacked layers and blobs.
func (s *Store) DiskUsage() (*DiskUsage, error) {
	imgs, err := s.List()
	if err != nil {
		return nil, err
	}
	recs, _, err := s.rootfsRecords()
	if err != nil {
		return nil, err
	}
	du := &DiskUsage{}
	users := map[digest.Digest]int{} // chain ID → images using it
	chainsOf := make([][]digest.Digest, len(imgs))
	for i, img := range imgs {
		var diffIDs []digest.Digest
		for _, l := range img.Layers {
			diffIDs = append(diffIDs, digest.Digest(l))
		}
		chainsOf[i] = identity.ChainIDs(diffIDs)
		for _, c := range chainsOf[i] {
			users[c]++
		}
	}
	perImage := map[string]int{}
	for _, r := range recs {
		perImage[r.Image]++
	}
	for i, img := range imgs {
		rec, err := s.readRecord(digest.NewDigestFromEncoded(digest.SHA256, img.ID))
		if err != nil {
			return nil, fmt.Errorf("disk usage: %w", err)
		}
		u := ImageUsage{ID: img.ID, RepoTags: img.RepoTags, Size: img.Size, Containers: perImage[img.ID]}
		for j, c := range chainsOf[i] {
			if j >= len(rec.LayerSizes) {
				break
			}
			if users[c] > 1 {
				u.SharedSize += rec.LayerSizes[j]
			} else {
				u.UniqueSize += rec.LayerSizes[j]
			}
		}
		du.Images = append(du.Images, u)
	}
	for _, r := range recs {
		n, err := s.RootfsSize(r.ID)
		if err != nil {
			return nil, fmt.Errorf("disk usage: %w", err)
		}
		du.Containers = append(du.Containers, ContainerUsage{ID: r.ID, Image: r.Image, Size: n})
	}
	cache, _, err := s.cacheRecords()
	if err != nil {
		return nil, fmt.Errorf("disk usage: %w", err)
	}
	du.BuildCacheEntries = len(cache)
	du.BuildCache = buildCacheUsage(cache, users)
	counted := map[digest.Digest]bool{}
	for _, rec := range cache {
		for i, c := range rec.Stack.Chains {
			if users[c] == 0 && !counted[c] && i < len(rec.Stack.Sizes) {
				counted[c] = true
				du.BuildCacheSize += rec.Stack.Sizes[i]
			}
		}
	}
	if du.LayersSize, err = dirSize(s.layersDir()); err != nil {
		return nil, fmt.Errorf("disk usage: %w", err)
	}
	blobs, err := os.ReadDir(s.blobDir())
	if err != nil {
		return nil, fmt.Errorf("disk usage: %w", err)
	}
	for _, b := range blobs {
		if fi, err := os.Stat(filepath.Join(s.blobDir(), b.Name())); err == nil {
			du.BlobsSize += fi.Size()
		}
	}
	return du, nil
}

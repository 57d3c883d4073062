package images

import (
	"sort"
	"strings"
	"time"

	digest "github.com/opencontainers/go-digest"
)

// BuildCacheUsage is one cached build step as `system df -v` lists it:
// the layer the step left on top of its state.
type BuildCacheUsage struct {
	ID      string // the step's cache key
	Created time.Time
	// Size is the content bytes of the step's top layer; Shared says an
	// image uses that layer too (so removing the entry frees nothing).
	Size   int64
	Shared bool
}

// buildCacheUsage lists the cache records, newest first; users counts
// the images using each layer (by chain ID).
func buildCacheUsage(recs map[string]cacheRecord, users map[digest.Digest]int) []BuildCacheUsage {
	out := make([]BuildCacheUsage, 0, len(recs))
	for name, rec := range recs {
		u := BuildCacheUsage{ID: strings.TrimSuffix(name, ".json"), Created: rec.Created}
		if n := len(rec.Stack.Chains); n > 0 && n <= len(rec.Stack.Sizes) {
			u.Size = rec.Stack.Sizes[n-1]
			u.Shared = users[rec.Stack.Chains[n-1]] > 0
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

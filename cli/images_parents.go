package cli

import (
	"strings"

	"berth/images"
)

// withoutIntermediate drops untagged images that another image names as
// its parent: docker's `images` hides these intermediate images without
// -a (an untagged parent is not dangling, and prune keeps it).
func withoutIntermediate(list []*images.Image) []*images.Image {
	parents := map[string]bool{}
	for _, img := range list {
		if img.Parent != "" {
			parents[strings.TrimPrefix(img.Parent, "sha256:")] = true
		}
	}
	out := make([]*images.Image, 0, len(list))
	for _, img := range list {
		if len(img.RepoTags) == 0 && len(img.RepoDigests) == 0 && parents[img.ID] {
			continue
		}
		out = append(out, img)
	}
	return out
}

package cli

import (
	"strings"

	"berth/images"
)

// withoutIntermediate drops untagged images that another image names as
// its parent: docker's `images` hides these intermediate images without
// -a (an untagged parent is not dangling, and prune keeps it).
func withoutIntermediate(list []*images.Image) []*images.Image {
	parents := parentIDs(list)
	out := make([]*images.Image, 0, len(list))
	for _, img := range list {
		if len(img.RepoTags) == 0 && len(img.RepoDigests) == 0 && parents[img.ID] {
			continue
		}
		out = append(out, img)
	}
	return out
}

// withoutParents keeps only the images no other image names as its parent
// (docker's image heads): docker 20.10's `images -f dangling=true` looks
// among these alone, with or without -a, so an untagged parent is never
// listed as dangling.
func withoutParents(list []*images.Image) []*images.Image {
	parents := parentIDs(list)
	out := make([]*images.Image, 0, len(list))
	for _, img := range list {
		if !parents[img.ID] {
			out = append(out, img)
		}
	}
	return out
}

// parentIDs is the set of image IDs (without "sha256:") that an image in
// list names as its parent.
func parentIDs(list []*images.Image) map[string]bool {
	parents := map[string]bool{}
	for _, img := range list {
		if img.Parent != "" {
			parents[strings.TrimPrefix(img.Parent, "sha256:")] = true
		}
	}
	return parents
}

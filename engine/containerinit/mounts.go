package containerinit

import (
	"path"
	"slices"
	"strings"
)

// sortMounts orders mounts parents first (by the depth of their target),
// keeping the given order between equals, as moby does, so that a mount
// never hides one made inside it.
func sortMounts(mounts []Mount) []Mount {
	out := slices.Clone(mounts)
	slices.SortStableFunc(out, func(a, b Mount) int {
		return targetDepth(a.Target) - targetDepth(b.Target)
	})
	return out
}

func targetDepth(target string) int {
	clean := path.Clean("/" + target)
	if clean == "/" {
		return 0
	}
	return strings.Count(clean, "/")
}

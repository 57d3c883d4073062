package host

import (
	"fmt"
	"path"
	"strings"

	"berth/images"
	filterArgs "berth/internal/filters"
)

// ImageFilters are the conditions of an image list (`images -f`, GET
// /images/json's filters), as docker's daemon reads them: dangling (a
// boolean), reference (a glob on repository or repository:tag), label
// (KEY or KEY=VALUE), before and since (an image).
type ImageFilters struct {
	Dangling      *bool
	Reference     []string
	Labels        []string
	Before, Since string
}

// ParseImageFilters checks an image list's filters as docker's daemon
// does.
func ParseImageFilters(conds filterArgs.Args) (ImageFilters, error) {
	var f ImageFilters
	if err := conds.Validate("before", "dangling", "label", "reference", "since"); err != nil {
		return f, err
	}
	dangling, set, err := conds.Bool("dangling")
	if err != nil {
		return f, err
	}
	if set {
		f.Dangling = &dangling
	}
	for _, value := range conds["reference"] {
		if _, err := path.Match(value, ""); err != nil {
			return f, fmt.Errorf("invalid filter 'reference=%s': %w", value, err)
		}
	}
	f.Reference, f.Labels = conds["reference"], conds["label"]
	if v := conds["before"]; len(v) > 0 {
		f.Before = v[len(v)-1]
	}
	if v := conds["since"]; len(v) > 0 {
		f.Since = v[len(v)-1]
	}
	return f, nil
}

// ListImages is the image list docker shows of list: without all, the
// untagged images another image is built on are left out; with
// dangling=true only the images no other image is built on are looked at
// (docker 20.10's heads, so an untagged parent is never dangling); then
// the filters keep what they match, a reference filter keeping only an
// image's matching tags in its RepoTags. before and since are looked up in
// store; an error says which.
func ListImages(list []*images.Image, f ImageFilters, all bool, store Images) ([]*images.Image, error) {
	if f.Dangling != nil && *f.Dangling {
		list = ImageHeads(list)
	}
	if !all {
		list = WithoutIntermediateImages(list)
	}
	var before, since *images.Image
	var err error
	if f.Before != "" {
		if before, err = store.Lookup(f.Before); err != nil {
			return nil, fmt.Errorf("before=%s: %w", f.Before, err)
		}
	}
	if f.Since != "" {
		if since, err = store.Lookup(f.Since); err != nil {
			return nil, fmt.Errorf("since=%s: %w", f.Since, err)
		}
	}
	var out []*images.Image
	for _, img := range list {
		if f.Dangling != nil && img.Dangling() != *f.Dangling {
			continue
		}
		if before != nil && !img.Created.Before(before.Created) || since != nil && !img.Created.After(since.Created) {
			continue
		}
		if !LabelsMatch(img.Config.Labels, f.Labels) {
			continue
		}
		if len(f.Reference) > 0 {
			var tags []string
			for _, rt := range img.RepoTags {
				if referenceMatches(f.Reference, rt) {
					tags = append(tags, rt)
				}
			}
			if len(tags) == 0 {
				continue
			}
			copied := *img
			copied.RepoTags = tags
			img = &copied
		}
		out = append(out, img)
	}
	return out, nil
}

// LabelsMatch is docker's label filter: labels hold every KEY or
// KEY=VALUE of want.
func LabelsMatch(labels map[string]string, want []string) bool {
	return filterArgs.Args{"label": want}.MatchKVList("label", labels)
}

// referenceMatches is docker's reference filter: a pattern matches the
// repository or repository:tag ("busybox", "busy*", "busybox:1.*").
func referenceMatches(patterns []string, repoTag string) bool {
	repo, _ := SplitRepoTag(repoTag)
	for _, p := range patterns {
		if ok, _ := path.Match(p, repo); ok {
			return true
		}
		if ok, _ := path.Match(p, repoTag); ok {
			return true
		}
	}
	return false
}

// WithoutIntermediateImages drops untagged images that another image
// names as its parent: docker lists these intermediate images only with
// -a (an untagged parent is not dangling, and prune keeps it).
func WithoutIntermediateImages(list []*images.Image) []*images.Image {
	parents := parentImageIDs(list)
	out := make([]*images.Image, 0, len(list))
	for _, img := range list {
		if len(img.RepoTags) == 0 && len(img.RepoDigests) == 0 && parents[img.ID] {
			continue
		}
		out = append(out, img)
	}
	return out
}

// ImageHeads keeps the images no other image names as its parent.
func ImageHeads(list []*images.Image) []*images.Image {
	parents := parentImageIDs(list)
	out := make([]*images.Image, 0, len(list))
	for _, img := range list {
		if !parents[img.ID] {
			out = append(out, img)
		}
	}
	return out
}

// parentImageIDs is the set of image IDs (without "sha256:") that an
// image in list names as its parent.
func parentImageIDs(list []*images.Image) map[string]bool {
	parents := map[string]bool{}
	for _, img := range list {
		if img.Parent != "" {
			parents[strings.TrimPrefix(img.Parent, "sha256:")] = true
		}
	}
	return parents
}

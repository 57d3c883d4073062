package api

import (
	"path"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/image"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth/host"
	"berth/images"
	filterArgs "berth/internal/filters"
)

// imageListFilters are GET /images/json's filters, as dockerd reads them:
// dangling (a boolean), reference (a glob on repository or
// repository:tag), label, before and since (an image).
type imageListFilters struct {
	dangling      *bool
	reference     []string
	labels        []string
	before, since string
}

func parseImageListFilters(conds filterArgs.Args) (imageListFilters, error) {
	var f imageListFilters
	if err := conds.Validate("before", "dangling", "label", "reference", "since"); err != nil {
		return f, kindError{err, errInvalidArgument}
	}
	dangling, set, err := conds.Bool("dangling")
	if err != nil {
		return f, kindError{err, errInvalidArgument}
	}
	if set {
		f.dangling = &dangling
	}
	for _, value := range conds["reference"] {
		if _, err := path.Match(value, ""); err != nil {
			return f, invalidf("invalid filter 'reference=%s': %v", value, err)
		}
	}
	f.reference, f.labels = conds["reference"], conds["label"]
	if v := conds["before"]; len(v) > 0 {
		f.before = v[len(v)-1]
	}
	if v := conds["since"]; len(v) > 0 {
		f.since = v[len(v)-1]
	}
	return f, nil
}

// keep is the images of list the filters match. A reference filter keeps
// only the matching tags of an image in its RepoTags.
func (f imageListFilters) keep(list []*images.Image, store host.Images) ([]*images.Image, error) {
	var before, since *images.Image
	var err error
	if f.before != "" {
		if before, err = store.Lookup(f.before); err != nil {
			return nil, noSuchImage(f.before, err)
		}
	}
	if f.since != "" {
		if since, err = store.Lookup(f.since); err != nil {
			return nil, noSuchImage(f.since, err)
		}
	}
	var out []*images.Image
	for _, img := range list {
		if f.dangling != nil && img.Dangling() != *f.dangling {
			continue
		}
		if before != nil && !img.Created.Before(before.Created) || since != nil && !img.Created.After(since.Created) {
			continue
		}
		if !labelsMatch(img.Config.Labels, f.labels) {
			continue
		}
		if len(f.reference) > 0 {
			var tags []string
			for _, rt := range img.RepoTags {
				if referenceMatches(f.reference, rt) {
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

// labelsMatch reports whether labels hold every KEY or KEY=VALUE of want.
func labelsMatch(labels map[string]string, want []string) bool {
	for _, w := range want {
		k, v, hasValue := strings.Cut(w, "=")
		got, ok := labels[k]
		if !ok || hasValue && got != v {
			return false
		}
	}
	return true
}

// referenceMatches is docker's reference filter: a pattern matches the
// repository or repository:tag ("busybox", "busy*", "busybox:1.*").
func referenceMatches(patterns []string, repoTag string) bool {
	repo := repoTag
	if i := strings.LastIndexByte(repoTag, ':'); i > strings.LastIndexByte(repoTag, '/') {
		repo = repoTag[:i]
	}
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

// withoutIntermediateImages drops untagged images that another image
// names as its parent: dockerd lists them only with all=1.
func withoutIntermediateImages(list []*images.Image) []*images.Image {
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

// imageHeads keeps the images no other image names as its parent: the
// dangling filter looks among these alone, as dockerd's.
func imageHeads(list []*images.Image) []*images.Image {
	parents := parentImageIDs(list)
	out := make([]*images.Image, 0, len(list))
	for _, img := range list {
		if !parents[img.ID] {
			out = append(out, img)
		}
	}
	return out
}

func parentImageIDs(list []*images.Image) map[string]bool {
	parents := map[string]bool{}
	for _, img := range list {
		if img.Parent != "" {
			parents[strings.TrimPrefix(img.Parent, "sha256:")] = true
		}
	}
	return parents
}

// newImageInspect is an image in the Moby inspect shape.
func newImageInspect(img *images.Image) image.InspectResponse {
	c := img.Config
	cfg := &dockerspec.DockerOCIImageConfig{
		ImageConfig: ocispec.ImageConfig{
			User: c.User, ExposedPorts: c.ExposedPorts, Env: c.Env, Entrypoint: c.Entrypoint, Cmd: c.Cmd,
			Volumes: c.Volumes, WorkingDir: c.WorkingDir, Labels: c.Labels, StopSignal: c.StopSignal,
		},
		DockerOCIImageConfigExt: dockerspec.DockerOCIImageConfigExt{OnBuild: c.OnBuild, Shell: c.Shell},
	}
	if h := c.Healthcheck; h != nil {
		cfg.Healthcheck = &dockerspec.HealthcheckConfig{
			Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod,
			StartInterval: h.StartInterval, Retries: h.Retries,
		}
	}
	out := image.InspectResponse{
		ID:           "sha256:" + img.ID,
		RepoTags:     orEmpty(img.RepoTags),
		RepoDigests:  orEmpty(img.RepoDigests),
		Created:      img.Created.UTC().Format(time.RFC3339Nano),
		Author:       img.Author,
		Config:       cfg,
		Architecture: img.Arch,
		Os:           img.OS,
		Size:         img.Size,
		RootFS:       image.RootFS{Type: "layers", Layers: img.Layers},
	}
	if n := len(img.History); n > 0 {
		out.Comment = img.History[n-1].Comment
	}
	return out
}

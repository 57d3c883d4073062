package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/api/types/volume"

	"berth/engine"
	"berth/engine/volumes"
	"berth/host"
	"berth/images"
)

// GET /system/df answers in two shapes: the usage of each kind
// (ImageUsage, ContainerUsage, VolumeUsage, BuildCacheUsage; API 1.52
// and later) and the lists older clients total themselves (LayersSize,
// Images, Containers, Volumes, BuildCache; up to 1.52, which has both).
const (
	dfUsageVersion  = "1.52" // the first with the usage of each kind
	dfLegacyVersion = "1.53" // the first without the lists
	// dfVirtualSizeVersion is the first without an image's VirtualSize,
	// which docker 20.10 counts an image's reclaimable bytes with.
	dfVirtualSizeVersion = "1.44"
)

// legacyDiskUsage is the answer with the lists older clients read.
type legacyDiskUsage struct {
	system.DiskUsage
	LayersSize int64
	Images     []legacyImageSummary
	Containers []container.Summary
	Volumes    []volume.Volume
	BuildCache []build.CacheRecord
}

// legacyImageSummary is an image in the lists, with VirtualSize (the
// same as Size) before API 1.44.
type legacyImageSummary struct {
	image.Summary
	VirtualSize int64 `json:",omitempty"`
}

// diskUsage is what df measures, in the Moby types, with the totals of
// each kind.
type diskUsage struct {
	layersSize int64
	images     []image.Summary
	containers []container.Summary
	volumes    []volume.Volume
	buildCache []build.CacheRecord
	usage      system.DiskUsage
}

func (s *Server) systemDiskUsage(w http.ResponseWriter, r *http.Request) error {
	want := r.URL.Query()["type"]
	for _, t := range want {
		switch system.DiskUsageObject(t) {
		case system.ContainerObject, system.ImageObject, system.VolumeObject, system.BuildCacheObject:
		default:
			return invalidf("invalid type %q: want container, image, volume or build-cache", t)
		}
	}
	asked := func(o system.DiskUsageObject) bool { return len(want) == 0 || slices.Contains(want, string(o)) }
	du, err := s.measureDiskUsage(r, asked)
	if err != nil {
		return err
	}
	if !queryBool(r, "verbose") {
		du.dropItems()
	}
	ctx := r.Context()
	if !versionBefore(ctx, dfUsageVersion) && !versionBefore(ctx, dfLegacyVersion) {
		return writeJSON(w, http.StatusOK, du.usage)
	}
	out := legacyDiskUsage{LayersSize: du.layersSize, Containers: du.containers, Volumes: du.volumes, BuildCache: du.buildCache}
	if du.images != nil {
		out.Images = []legacyImageSummary{}
	}
	for _, img := range du.images {
		li := legacyImageSummary{Summary: img}
		if versionBefore(ctx, dfVirtualSizeVersion) {
			li.VirtualSize = img.Size
		}
		out.Images = append(out.Images, li)
	}
	if !versionBefore(ctx, dfUsageVersion) {
		out.DiskUsage = du.usage
	}
	return writeJSON(w, http.StatusOK, out)
}

// measureDiskUsage measures the kinds asked for.
func (s *Server) measureDiskUsage(r *http.Request, asked func(system.DiskUsageObject) bool) (*diskUsage, error) {
	out := &diskUsage{}
	store := s.host.Images()
	du, err := store.DiskUsage()
	if err != nil {
		return nil, err
	}
	if asked(system.ImageObject) {
		if err := out.addImages(store, du); err != nil {
			return nil, err
		}
	}
	if asked(system.ContainerObject) {
		list, err := s.host.List(r.Context(), engine.ListOptions{All: true})
		if err != nil {
			return nil, err
		}
		out.addContainers(list, du)
	}
	if asked(system.VolumeObject) {
		if err := out.addVolumes(r.Context(), s.host.Volumes()); err != nil {
			return nil, err
		}
	}
	if asked(system.BuildCacheObject) {
		out.addBuildCache(du)
	}
	return out, nil
}

// dropItems leaves the totals of each kind without their lists, which
// only verbose asks for.
func (d *diskUsage) dropItems() {
	if u := d.usage.ImageUsage; u != nil {
		u.Items = nil
	}
	if u := d.usage.ContainerUsage; u != nil {
		u.Items = nil
	}
	if u := d.usage.VolumeUsage; u != nil {
		u.Items = nil
	}
	if u := d.usage.BuildCacheUsage; u != nil {
		u.Items = nil
	}
}

func (d *diskUsage) addImages(store host.Images, du *images.DiskUsage) error {
	list, err := store.List()
	if err != nil {
		return err
	}
	byID := map[string]*images.Image{}
	for _, img := range list {
		byID[img.ID] = img
	}
	u := &image.DiskUsage{TotalCount: int64(len(du.Images)), TotalSize: du.LayersSize}
	d.layersSize = du.LayersSize
	d.images = []image.Summary{}
	for _, iu := range du.Images {
		sum := image.Summary{ID: "sha256:" + iu.ID, RepoTags: orEmpty(iu.RepoTags), RepoDigests: []string{},
			Size: iu.Size, SharedSize: iu.SharedSize, Containers: int64(iu.Containers), Labels: map[string]string{}}
		if img := byID[iu.ID]; img != nil {
			sum.Created, sum.ParentID, sum.RepoDigests = img.Created.Unix(), img.Parent, orEmpty(img.RepoDigests)
			sum.Labels = nonNilLabels(img.Config.Labels)
		}
		if iu.Containers > 0 {
			u.ActiveCount++
		} else {
			u.Reclaimable += iu.UniqueSize
		}
		d.images = append(d.images, sum)
		u.Items = append(u.Items, sum)
	}
	d.usage.ImageUsage = u
	return nil
}

func (d *diskUsage) addContainers(list []*engine.Container, du *images.DiskUsage) {
	layer := map[string]int64{}
	for _, c := range du.Containers {
		layer[c.ID] = c.Size
	}
	u := &container.DiskUsage{TotalCount: int64(len(list))}
	d.containers = []container.Summary{}
	now := time.Now()
	for _, c := range list {
		sum := ContainerSummary(c, &ContainerSize{RW: layer[c.ID]}, now)
		u.TotalSize += layer[c.ID]
		if c.State.Running() {
			u.ActiveCount++
		} else {
			u.Reclaimable += layer[c.ID]
		}
		d.containers = append(d.containers, sum)
		u.Items = append(u.Items, sum)
	}
	d.usage.ContainerUsage = u
}

// addVolumes measures every volume: one a container uses is active,
// the content of the others reclaimable.
func (d *diskUsage) addVolumes(ctx context.Context, vols host.Volumes) error {
	list, err := vols.List(ctx)
	if err != nil {
		return err
	}
	users, err := vols.Users(ctx)
	if err != nil {
		return err
	}
	u := &volume.DiskUsage{TotalCount: int64(len(list))}
	d.volumes = []volume.Volume{}
	for _, v := range list {
		size, err := volumes.Size(v)
		if err != nil {
			return fmt.Errorf("measure volume %s: %w", v.Name, err)
		}
		refs := int64(len(users[v.Name]))
		vol := volume.Volume{CreatedAt: v.CreatedAt, Driver: v.Driver, Labels: nonNilLabels(v.Labels), Mountpoint: v.Mountpoint,
			Name: v.Name, Options: nonNilLabels(v.Options), Scope: v.Scope, UsageData: &volume.UsageData{RefCount: refs, Size: size}}
		u.TotalSize += size
		if refs > 0 {
			u.ActiveCount++
		} else {
			u.Reclaimable += size
		}
		d.volumes = append(d.volumes, vol)
		u.Items = append(u.Items, vol)
	}
	d.usage.VolumeUsage = u
	return nil
}

func (d *diskUsage) addBuildCache(du *images.DiskUsage) {
	u := &build.DiskUsage{TotalCount: int64(du.BuildCacheEntries), Reclaimable: du.BuildCacheSize}
	d.buildCache = []build.CacheRecord{}
	for _, b := range du.BuildCache {
		rec := build.CacheRecord{ID: b.ID, Type: "regular", Shared: b.Shared, Size: b.Size, CreatedAt: b.Created, UsageCount: 1}
		rec.LastUsedAt = &b.Created
		u.TotalSize += b.Size
		d.buildCache = append(d.buildCache, rec)
		u.Items = append(u.Items, rec)
	}
	d.usage.BuildCacheUsage = u
}

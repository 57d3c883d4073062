package engine

import (
	"fmt"
	"strconv"

	"berth/engine/containerinit"
)

// Image mounts (--mount type=image, the CRI's image volumes) show an
// image's files, read-only, at a path of the container: the image
// store's rootfs of the image without an init layer or a writable layer
// (images.CreateImageMount), recorded under the mount's own ID so that
// the image's layers are held while the container lives. Create makes
// it, start mounts it, remove drops it.

// imageMountID is the image store's name for c's n-th image mount.
func imageMountID(containerID string, n int) string {
	return imageMountPrefix(containerID) + strconv.Itoa(n)
}

// imageMountPrefix begins the names of every image mount of containerID.
func imageMountPrefix(containerID string) string { return containerID + "-image-" }

// imageMount resolves mt, a type=image --mount of c: the image must be
// in the store, and its sub-path, when it names one, in the image. It
// is read-only whatever mt says.
func (p *mountPlan) imageMount(c *record, mt Mount, m containerMount) (containerMount, error) {
	n := 0
	for _, other := range p.mounts {
		if other.Type == "image" {
			n++
		}
	}
	id := imageMountID(c.ID, n)
	img, err := p.e.images.Lookup(mt.Source)
	if err != nil {
		return m, fmt.Errorf("mount image %s at %s: %w", mt.Source, m.Target, err)
	}
	im, err := p.e.images.CreateImageMount(id, img.ID)
	if err != nil {
		return m, fmt.Errorf("mount image %s at %s: %w", mt.Source, m.Target, err)
	}
	p.undo.add(func() { _ = p.e.images.RemoveRootfs(id) })
	m.Source, m.Volume, m.MountID, m.ReadOnly = "sha256:"+img.ID, mt.Source, id, true
	if o := mt.ImageOptions; o != nil && o.Subpath != "" {
		m.SubPath = o.Subpath
		init := containerinit.Mount{Type: im.Type, Source: im.Source, Target: m.Target, Options: im.Options, SubPath: m.SubPath}
		if err := containerinit.CheckSubPath(init); err != nil {
			return m, invalidf("mount image %s at %s: %v", mt.Source, m.Target, err)
		}
	}
	return m, nil
}

// initImageMount is m, an image mount, as the init performs it.
func (e *Engine) initImageMount(m containerMount) (containerinit.Mount, error) {
	im, err := e.images.CreateImageMount(m.MountID, m.Source)
	if err != nil {
		return containerinit.Mount{}, fmt.Errorf("mount image %s at %s: %w", m.Volume, m.Target, err)
	}
	return containerinit.Mount{Type: im.Type, Source: im.Source, Target: m.Target, Options: im.Options, SubPath: m.SubPath}, nil
}

// removeImageMounts drops the image store's rootfs of each of c's image
// mounts.
func (e *Engine) removeImageMounts(c *record) error {
	for _, m := range c.containerMounts() {
		if m.Type != "image" {
			continue
		}
		if err := e.images.RemoveRootfs(m.MountID); err != nil {
			return fmt.Errorf("image mount at %s: %w", m.Target, err)
		}
	}
	return nil
}

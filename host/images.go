package host

import (
	"context"
	"errors"
	"strings"

	"berth/engine"
	"berth/images"
)

// SplitRepoTag splits "registry:5000/app:1" into "registry:5000/app", "1";
// a reference without a tag has tag "<none>", as docker images shows it.
func SplitRepoTag(ref string) (repo, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "<none>"
	}
	return ref[:i], ref[i+1:]
}

// ImageUse is which containers (running or not) are made from which
// image, keyed by the image's ID without "sha256:": an image in use is
// refused by rmi without force, and kept by prune.
type ImageUse map[string][]*engine.Container

// ListImageUse lists the machine's containers by image; a machine that
// cannot list containers uses none.
func ListImageUse(ctx context.Context, c Containers) (ImageUse, error) {
	list, err := c.List(ctx, engine.ListOptions{All: true})
	if err != nil && !errors.Is(err, engine.ErrNotImplemented) {
		return nil, err
	}
	return imageUseOf(list), nil
}

func imageUseOf(list []*engine.Container) ImageUse {
	use := ImageUse{}
	for _, c := range list {
		id := strings.TrimPrefix(c.Image, "sha256:")
		use[id] = append(use[id], c)
	}
	return use
}

// InUse reports the short ID of a container made from the image, as the
// image store's RemoveOptions.InUse and PruneOptions.InUse want it.
func (u ImageUse) InUse(imageID string) (string, bool) {
	cs := u[strings.TrimPrefix(imageID, "sha256:")]
	if len(cs) == 0 {
		return "", false
	}
	return cs[0].ShortID(), true
}

// Count is how many containers are made from the image.
func (u ImageUse) Count(imageID string) int { return len(u[strings.TrimPrefix(imageID, "sha256:")]) }

// RemoveImage is rmi: it untags ref, and deletes the image when no tag is
// left, refusing an image a container uses unless force.
func RemoveImage(ctx context.Context, c Containers, store Images, ref string, force bool) ([]images.Deleted, error) {
	use, err := ListImageUse(ctx, c)
	if err != nil {
		return nil, err
	}
	return store.Remove(ref, images.RemoveOptions{Force: force, InUse: use.InUse})
}

// PruneImages removes dangling images (with all, every image no
// container uses).
func PruneImages(ctx context.Context, c Containers, store Images, all bool) (*images.PruneReport, error) {
	use, err := ListImageUse(ctx, c)
	if err != nil {
		return nil, err
	}
	return store.Prune(images.PruneOptions{All: all, InUse: use.InUse})
}

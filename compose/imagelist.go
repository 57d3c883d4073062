package compose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/distribution/reference"

	"berth/host"
	"berth/images"
)

// ContainerImage is one container's image as `compose images` lists it.
type ContainerImage struct {
	Container  string
	Repository string // "" when the container names its image by ID
	Tag        string
	ID         string // sha256:…
	Size       int64  // 0 when the image is gone
}

// Images are the images of project name's containers (of services, or
// all, stopped and `compose run` ones included), in container order.
func Images(ctx context.Context, h host.Host, name string, services []string) ([]ContainerImage, error) {
	containers, err := Containers(ctx, h, name, services, true, true)
	if err != nil {
		return nil, err
	}
	var out []ContainerImage
	for _, c := range containers {
		ci := ContainerImage{Container: strings.TrimPrefix(c.Name, "/"), ID: c.Image}
		if ref, err := reference.ParseDockerRef(c.Config.Image); err == nil && !strings.HasPrefix(c.Config.Image, "sha256:") {
			ci.Repository = reference.FamiliarName(ref)
			if tagged, ok := ref.(reference.Tagged); ok {
				ci.Tag = tagged.Tag()
			}
		}
		img, err := h.Images().Lookup(c.Image)
		switch {
		case errors.Is(err, images.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("image of %s: %w", ci.Container, err)
		default:
			ci.Size = img.Size
		}
		out = append(out, ci)
	}
	return out, nil
}

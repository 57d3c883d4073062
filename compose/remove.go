package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/host"
)

// Removable are project name's stopped containers (of services, or
// all; not `compose run` ones) that `compose rm` removes; a loaded
// project limits them to its services.
func Removable(ctx context.Context, h host.Host, name string, services []string, p *types.Project) ([]*engine.Container, error) {
	containers, err := Containers(ctx, h, name, services, true, false)
	if err != nil {
		return nil, err
	}
	if p != nil {
		containers = ofServices(containers, p)
	}
	var out []*engine.Container
	for _, c := range containers {
		if !c.State.Running() {
			out = append(out, c)
		}
	}
	return out, nil
}

// Remove removes containers, their anonymous volumes too with volumes.
func Remove(ctx context.Context, h host.Host, containers []*engine.Container, volumes bool, out io.Writer) error {
	var errs []error
	for _, c := range containers {
		cname := strings.TrimPrefix(c.Name, "/")
		progress(out, "Container", cname, "Removing")
		if err := h.Remove(ctx, c.ID, engine.RemoveOptions{Volumes: volumes}); err != nil {
			if errors.Is(err, engine.ErrNotFound) {
				continue
			}
			errs = append(errs, fmt.Errorf("remove %s: %w", cname, err))
			continue
		}
		progress(out, "Container", cname, "Removed")
	}
	return errors.Join(errs...)
}

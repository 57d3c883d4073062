package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/host"
)

// ErrNoContainers is a command that found none of the containers it acts
// on: Docker Compose says so and ends with 0.
var ErrNoContainers = errors.New("no containers")

// KillOptions are `compose kill`'s.
type KillOptions struct {
	// Project, when loaded, limits kill to its services' containers
	// unless RemoveOrphans.
	Project       *types.Project
	Services      []string
	Signal        string // "" is SIGKILL
	RemoveOrphans bool
	Progress      io.Writer
}

// Kill sends a signal to project name's running containers (of
// services, or all, `compose run` ones included). ErrNoContainers when
// none runs.
func Kill(ctx context.Context, h host.Host, name string, o KillOptions) error {
	containers, err := Containers(ctx, h, name, o.Services, false, true)
	if err != nil {
		return err
	}
	if o.Project != nil && !o.RemoveOrphans {
		containers = ofServices(containers, o.Project)
	}
	if len(containers) == 0 {
		return ErrNoContainers
	}
	signal := o.Signal
	if signal == "" {
		signal = "SIGKILL"
	}
	var errs []error
	for _, c := range containers {
		cname := strings.TrimPrefix(c.Name, "/")
		progress(o.Progress, "Container", cname, "Killing")
		if err := h.Kill(ctx, c.ID, signal); err != nil && !errors.Is(err, engine.ErrNotRunning) {
			errs = append(errs, fmt.Errorf("kill %s: %w", cname, err))
			continue
		}
		progress(o.Progress, "Container", cname, "Killed")
	}
	return errors.Join(errs...)
}

// ofServices keeps the containers of p's services (enabled or not).
func ofServices(containers []*engine.Container, p *types.Project) []*engine.Container {
	known := append(p.ServiceNames(), p.DisabledServiceNames()...)
	return slices.DeleteFunc(slices.Clone(containers), func(c *engine.Container) bool {
		return !slices.Contains(known, c.Config.Labels[LabelService])
	})
}

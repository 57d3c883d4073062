package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"berth/engine"
	"berth/host"
)

// Stop stops project name's running containers (of services, or all),
// the newest service first.
func Stop(ctx context.Context, h host.Host, name string, services []string, timeout *time.Duration, out io.Writer) error {
	containers, err := Containers(ctx, h, name, services, false, false)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range slices.Backward(byCreation(containers)) {
		cname := strings.TrimPrefix(c.Name, "/")
		progress(out, "Container", cname, "Stopping")
		if err := h.Stop(ctx, c.ID, engine.StopOptions{Timeout: timeout}); err != nil && !errors.Is(err, engine.ErrNotRunning) {
			errs = append(errs, fmt.Errorf("stop %s: %w", cname, err))
			continue
		}
		progress(out, "Container", cname, "Stopped")
	}
	return errors.Join(errs...)
}

// Start starts project name's stopped containers (of services, or all),
// in the order they were created, so that a dependency starts first.
func Start(ctx context.Context, h host.Host, name string, services []string, out io.Writer) error {
	containers, err := Containers(ctx, h, name, services, true, false)
	if err != nil {
		return err
	}
	if len(containers) == 0 {
		return fmt.Errorf("no containers to start")
	}
	for _, c := range byCreation(containers) {
		if c.State.Running() {
			continue
		}
		cname := strings.TrimPrefix(c.Name, "/")
		progress(out, "Container", cname, "Starting")
		if err := h.Start(ctx, c.ID); err != nil {
			return fmt.Errorf("start %s: %w", cname, err)
		}
		progress(out, "Container", cname, "Started")
	}
	return nil
}

// Restart restarts project name's containers (of services, or all), in
// the order they were created.
func Restart(ctx context.Context, h host.Host, name string, services []string, timeout *time.Duration, out io.Writer) error {
	containers, err := Containers(ctx, h, name, services, true, false)
	if err != nil {
		return err
	}
	for _, c := range byCreation(containers) {
		cname := strings.TrimPrefix(c.Name, "/")
		progress(out, "Container", cname, "Restarting")
		if err := h.Restart(ctx, c.ID, engine.StopOptions{Timeout: timeout}); err != nil {
			return fmt.Errorf("restart %s: %w", cname, err)
		}
		progress(out, "Container", cname, "Started")
	}
	return nil
}

// byCreation is containers, oldest first.
func byCreation(containers []*engine.Container) []*engine.Container {
	out := slices.Clone(containers)
	slices.SortStableFunc(out, func(a, b *engine.Container) int { return a.Created.Compare(b.Created) })
	return out
}

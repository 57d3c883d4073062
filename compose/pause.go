package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"berth/engine"
	"berth/host"
)

// Pause freezes project name's running containers (of services, or all).
func Pause(ctx context.Context, h host.Host, name string, services []string, out io.Writer) error {
	return eachInState(ctx, h, name, services, engine.StatusRunning, "pause", "Paused", out, h.Pause)
}

// Unpause thaws project name's paused containers (of services, or all).
func Unpause(ctx context.Context, h host.Host, name string, services []string, out io.Writer) error {
	return eachInState(ctx, h, name, services, engine.StatusPaused, "unpause", "Unpaused", out, h.Unpause)
}

// eachInState calls act (verb) on every container of the project's
// services that is in state, reporting done for each.
func eachInState(ctx context.Context, h host.Host, name string, services []string, state engine.Status, verb, done string, out io.Writer, act func(context.Context, string) error) error {
	containers, err := Containers(ctx, h, name, services, true, false)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range containers {
		if c.State.Status != state {
			continue
		}
		cname := strings.TrimPrefix(c.Name, "/")
		if err := act(ctx, c.ID); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", verb, cname, err))
			continue
		}
		progress(out, "Container", cname, done)
	}
	return errors.Join(errs...)
}

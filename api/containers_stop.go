package api

import (
	"context"
	"fmt"
	"time"

	"berth/engine"
)

// stop is POST /containers/{id}/stop (and restart's first half) with
// its signal parameter (API 1.42): the signal instead of the container's
// stop signal, then as long as the timeout for the container to exit,
// then SIGKILL, as dockerd does. Without a signal the engine's Stop does
// all of it with the container's own.
func (s *Server) stop(ctx context.Context, c *engine.Container, signal string, opts engine.StopOptions) error {
	if signal == "" {
		return s.host.Stop(ctx, c.ID, opts)
	}
	if err := s.host.Kill(ctx, c.ID, signal); err != nil {
		return err
	}
	wait := 10 * time.Second
	if c.Config.StopTimeout != nil {
		wait = time.Duration(*c.Config.StopTimeout) * time.Second
	}
	if opts.Timeout != nil {
		wait = *opts.Timeout
	}
	if wait != 0 {
		wctx, cancel := context.WithCancel(ctx)
		if wait > 0 {
			wctx, cancel = context.WithTimeout(ctx, wait)
		}
		_, err := s.host.Wait(wctx, c.ID)
		cancel()
		if err != nil && wctx.Err() == nil {
			return fmt.Errorf("stop %s: wait for it to exit: %w", c.DisplayName(), err)
		}
	}
	now := time.Duration(0) // kill what is left, and mark it stopped by the user
	return s.host.Stop(ctx, c.ID, engine.StopOptions{Timeout: &now})
}

package compose

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"berth/engine"
	"berth/host"
)

// Exit is one of a project's containers having stopped while its log
// was followed, as Docker Compose reports it ("web-1 exited with code
// 0").
type Exit struct {
	ID       string
	Name     string // within the project: "web-1"
	Service  string
	ExitCode int
}

// LogsOf is Logs of the given containers of project (o.Services is not
// used), for a caller that chose them: `compose logs --index`, or
// attached `up`, which follows what it started. With o.Follow, each time
// a container's log ends because it stopped (exited or dead, not merely
// created), exit, when not nil, is handed its exit code; a container
// that runs again by then (a restart) is followed on. line and exit are
// called from one goroutine at a time. It returns when every container's
// log ended or ctx is done.
func LogsOf(ctx context.Context, h host.Host, project string, containers []*engine.Container, o LogsOptions, line func(LogLine) error, exit func(Exit) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make([]error, len(containers))
	)
	serial := func(fn func() error) error {
		mu.Lock()
		defer mu.Unlock()
		return fn()
	}
	for i, c := range containers {
		name := NameInProject(project, c)
		service := c.Config.Labels[LabelService]
		wg.Go(func() {
			err := followContainer(ctx, h, c.ID, o, func(e engine.LogEntry) error {
				return serial(func() error { return line(LogLine{Name: name, Service: service, Entry: e}) })
			})
			if err == nil && o.Follow && exit != nil {
				err = reportExit(ctx, h, c.ID, func(code int) error {
					return serial(func() error { return exit(Exit{ID: c.ID, Name: name, Service: service, ExitCode: code}) })
				})
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				errs[i] = fmt.Errorf("logs of %s: %w", name, err)
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// followContainer reads container id's log as o says and, with Follow,
// until the container is no longer running: a log that ends while it
// runs again (it was restarted in between) is read on from its last
// line.
func followContainer(ctx context.Context, h host.Host, id string, o LogsOptions, fn func(engine.LogEntry) error) error {
	opts := engine.LogsOptions{Follow: o.Follow, Tail: o.Tail, Since: o.Since, Until: o.Until, Stdout: true, Stderr: true}
	for {
		var last time.Time
		err := h.Logs(ctx, id, opts, func(e engine.LogEntry) error {
			last = e.Time
			return fn(e)
		})
		if err != nil || !o.Follow || ctx.Err() != nil {
			return err
		}
		c, err := h.Inspect(ctx, id)
		if errors.Is(err, engine.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("inspect: %w", err)
		}
		if !c.State.Running() {
			return nil
		}
		if !last.IsZero() {
			opts.Since, opts.Tail = last.Add(time.Nanosecond), -1
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pollInterval):
		}
	}
}

// reportExit hands report container id's exit code when it exited or
// died; a container removed meanwhile, or one never started, reports
// nothing.
func reportExit(ctx context.Context, h host.Host, id string, report func(code int) error) error {
	if ctx.Err() != nil {
		return nil
	}
	c, err := h.Inspect(ctx, id)
	if errors.Is(err, engine.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	if c.State.Status != engine.StatusExited && c.State.Status != engine.StatusDead {
		return nil
	}
	return report(c.State.ExitCode)
}

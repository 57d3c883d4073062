package compose

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"berth/engine"
	"berth/engine/events"
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
	// Restarting is an exit its restart policy restarts it from: its log
	// goes on.
	Restarting bool
}

// LogsOf is Logs of the given containers of project (o.Services is not
// used), for a caller that chose them (`compose logs`, which --index
// narrows), with their exits: a Follower of those containers, waited
// for.
func LogsOf(ctx context.Context, h host.Host, project string, containers []*engine.Container, o LogsOptions, line func(LogLine) error, exit func(Exit) error) error {
	f := NewFollower(ctx, h, project, o, line, exit)
	for _, c := range containers {
		f.Add(c)
	}
	return f.Wait()
}

// Follower reads the logs of a project's containers, each from when it
// is added, interleaved as Logs does: attached `up` adds the containers
// it starts as they start. With o.Follow, each time a container's log
// ends because it stopped (exited or dead, not merely created), exit,
// when not nil, is handed its exit code; a container that runs again by
// then (a restart) is followed on; the exits its restart policy restarts
// it from are handed to exit too, Restarting, as the host's events tell
// them. line and exit are called from one goroutine at a time. The first
// error (of a host, or of line or exit) ends every log.
type Follower struct {
	ctx     context.Context
	cancel  context.CancelFunc
	h       host.Host
	project string
	o       LogsOptions
	line    func(LogLine) error
	exit    func(Exit) error

	serial sync.Mutex // line and exit, one at a time
	wg     sync.WaitGroup
	// restarts follows the host's die events, for Restarting exits.
	restarts sync.WaitGroup
	mu       sync.Mutex // followed and errs
	// followed are the IDs added.
	followed map[string]bool
	errs     []error
}

// NewFollower is a Follower of nothing yet; ctx ends every log.
func NewFollower(ctx context.Context, h host.Host, project string, o LogsOptions, line func(LogLine) error, exit func(Exit) error) *Follower {
	ctx, cancel := context.WithCancel(ctx)
	f := &Follower{ctx: ctx, cancel: cancel, h: h, project: project, o: o, line: line, exit: exit, followed: map[string]bool{}}
	if o.Follow && exit != nil {
		f.restarts.Go(f.reportRestarts)
	}
	return f
}

// reportRestarts hands exit the die events of the containers followed
// that their restart policy restarts (an exit for good is reported when
// the log ends, after its last line).
func (f *Follower) reportRestarts() {
	dies, err := f.h.Events().Follow(f.ctx, events.Filter{Types: []string{events.TypeContainer}, Actions: []string{events.ActionDie},
		Args: map[string][]string{"label": {LabelProject + "=" + f.project}}})
	if err != nil {
		f.fail(fmt.Errorf("follow the events of project %s: %w", f.project, err))
		return
	}
	for e := range dies {
		f.mu.Lock()
		followed := f.followed[e.ID]
		f.mu.Unlock()
		if !followed {
			continue
		}
		c, err := f.h.Inspect(f.ctx, e.ID)
		switch {
		case errors.Is(err, engine.ErrNotFound) || errors.Is(err, context.Canceled):
			continue
		case err != nil:
			f.fail(fmt.Errorf("inspect %s after it died: %w", e.Name, err))
			return
		case !c.State.Running():
			continue // stopped for good: its log's end tells
		}
		code, err := strconv.Atoi(e.Attributes[events.AttrExitCode])
		if err != nil {
			code = c.State.ExitCode // an event without its code: the last the container recorded
		}
		exit := Exit{ID: c.ID, Name: NameInProject(f.project, c), Service: c.Config.Labels[LabelService], ExitCode: code, Restarting: true}
		if err := f.serially(func() error { return f.exit(exit) }); err != nil {
			f.fail(err)
			return
		}
	}
}

// fail records err and ends every log.
func (f *Follower) fail(err error) {
	f.mu.Lock()
	f.errs = append(f.errs, err)
	f.mu.Unlock()
	f.cancel()
}

// Add starts reading c's log, unless it was added before. Every Add
// comes before Wait.
func (f *Follower) Add(c *engine.Container) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.followed[c.ID] {
		return
	}
	f.followed[c.ID] = true
	name := NameInProject(f.project, c)
	service := c.Config.Labels[LabelService]
	f.wg.Go(func() {
		err := followContainer(f.ctx, f.h, c.ID, f.o, func(e engine.LogEntry) error {
			return f.serially(func() error { return f.line(LogLine{Name: name, Service: service, Entry: e}) })
		})
		if err == nil && f.o.Follow && f.exit != nil {
			err = reportExit(f.ctx, f.h, c.ID, func(code int) error {
				return f.serially(func() error { return f.exit(Exit{ID: c.ID, Name: name, Service: service, ExitCode: code}) })
			})
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			f.fail(fmt.Errorf("logs of %s: %w", name, err))
		}
	})
}

// Cancel ends every log now.
func (f *Follower) Cancel() { f.cancel() }

// Wait waits for every log added to end and returns what failed.
func (f *Follower) Wait() error {
	f.wg.Wait()
	f.cancel()
	f.restarts.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	return errors.Join(f.errs...)
}

func (f *Follower) serially(fn func() error) error {
	f.serial.Lock()
	defer f.serial.Unlock()
	return fn()
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

package compose

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// StartedAt is when the run that ended began (or, Restarting, the
	// next).
	StartedAt time.Time
}

// Follower reads the logs of a project's containers, each from when it
// is added, interleaved as Logs does: attached `up` adds the containers
// it starts as they start. With o.Follow, each time a container's log
// ends because it stopped (exited or dead, not merely created), exit,
// when not nil, is handed its exit code; a container that runs again by
// then (a restart) is followed on; the exits its restart policy restarts
// it from are handed to exit too, Restarting, as the host's events tell
// them; and after FollowStarts, the containers that start later are
// followed too. line and exit are called from one goroutine at a time.
// The first error (of a host, or of line or exit) ends every log.
type Follower struct {
	ctx     context.Context
	cancel  context.CancelFunc
	h       host.Host
	project string
	o       LogsOptions
	line    func(LogLine) error
	exit    func(Exit) error

	serial sync.Mutex // line and exit, one at a time
	// events follows the host's die and start events.
	events sync.WaitGroup

	mu sync.Mutex // what follows
	// followed are the IDs added, reading are those whose log is being
	// read, idle signals reading turned empty.
	followed map[string]bool
	reading  map[string]bool
	idle     *sync.Cond
	// waited is set once Wait saw every log end: nothing is added after.
	waited bool
	// starts, when not nil, are the services whose containers that start
	// are followed (empty: all).
	starts []string
	errs   []error
}

// NewFollower is a Follower of nothing yet; ctx ends every log.
func NewFollower(ctx context.Context, h host.Host, project string, o LogsOptions, line func(LogLine) error, exit func(Exit) error) *Follower {
	ctx, cancel := context.WithCancel(ctx)
	f := &Follower{ctx: ctx, cancel: cancel, h: h, project: project, o: o, line: line, exit: exit,
		followed: map[string]bool{}, reading: map[string]bool{}}
	f.idle = sync.NewCond(&f.mu)
	if o.Follow {
		f.events.Go(f.followEvents)
	}
	return f
}

// FollowStarts makes f follow, from their start, the containers of
// services (none: all; never `compose run`'s) that start from now on,
// as Docker Compose's logs -f does: a service restarted or recreated.
func (f *Follower) FollowStarts(services []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append([]string{}, services...)
}

// followEvents reads the host's die and start events of the project:
// a die its restart policy restarts the container from is a Restarting
// exit (an exit for good is reported when the log ends, after its last
// line); a start, after FollowStarts, a container to follow.
func (f *Follower) followEvents() {
	evs, err := f.h.Events().Follow(f.ctx, events.Filter{Types: []string{events.TypeContainer}, Actions: []string{events.ActionDie, events.ActionStart},
		Args: map[string][]string{"label": {LabelProject + "=" + f.project}}})
	if err != nil {
		f.fail(fmt.Errorf("follow the events of project %s: %w", f.project, err))
		return
	}
	for e := range evs {
		if !f.wants(e) {
			continue
		}
		c, err := f.h.Inspect(f.ctx, e.ID)
		switch {
		case errors.Is(err, engine.ErrNotFound) || errors.Is(err, context.Canceled):
			continue
		case err != nil:
			f.fail(fmt.Errorf("inspect %s after its %s event: %w", e.Name, e.Action, err))
			return
		}
		if e.Action == events.ActionStart {
			f.add(c, c.State.StartedAt)
			continue
		}
		if !c.State.Running() {
			continue // stopped for good: its log's end tells
		}
		code, err := strconv.Atoi(e.Attributes[events.AttrExitCode])
		if err != nil {
			code = c.State.ExitCode // an event without its code: the last the container recorded
		}
		exit := Exit{ID: c.ID, Name: NameInProject(f.project, c), Service: c.Config.Labels[LabelService], ExitCode: code, Restarting: true, StartedAt: c.State.StartedAt}
		if err := f.serially(func() error { return f.exit(exit) }); err != nil {
			f.fail(err)
			return
		}
	}
}

// wants is whether event e matters: the die of a container followed,
// when exits are reported; the start of one not being read, of the
// services FollowStarts named.
func (f *Follower) wants(e events.Event) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.Action == events.ActionDie {
		return f.exit != nil && f.followed[e.ID]
	}
	if f.starts == nil || f.waited || f.reading[e.ID] || e.Attributes[LabelOneoff] == "True" {
		return false
	}
	return len(f.starts) == 0 || slices.Contains(f.starts, e.Attributes[LabelService])
}

// fail records err and ends every log.
func (f *Follower) fail(err error) {
	f.mu.Lock()
	f.errs = append(f.errs, err)
	f.mu.Unlock()
	f.cancel()
}

// Add starts reading c's log, from o.Since, unless it is being read.
// An Add after Wait returned does nothing.
func (f *Follower) Add(c *engine.Container) {
	f.add(c, f.o.Since)
}

func (f *Follower) add(c *engine.Container, since time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.waited || f.reading[c.ID] {
		return
	}
	f.followed[c.ID], f.reading[c.ID] = true, true
	name := NameInProject(f.project, c)
	service := c.Config.Labels[LabelService]
	o := f.o
	o.Since = since
	go func() {
		defer f.done(c.ID)
		err := followContainer(f.ctx, f.h, c.ID, o, func(e engine.LogEntry) error {
			return f.serially(func() error { return f.line(LogLine{Name: name, Service: service, Entry: e}) })
		})
		if err == nil && o.Follow && f.exit != nil {
			err = reportExit(f.ctx, f.h, c.ID, func(code int, started time.Time) error {
				return f.serially(func() error {
					return f.exit(Exit{ID: c.ID, Name: name, Service: service, ExitCode: code, StartedAt: started})
				})
			})
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			f.fail(fmt.Errorf("logs of %s: %w", name, err))
		}
	}()
}

// done is the end of container id's log.
func (f *Follower) done(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.reading, id)
	if len(f.reading) == 0 {
		f.idle.Broadcast()
	}
}

// Cancel ends every log now.
func (f *Follower) Cancel() { f.cancel() }

// Wait waits for every log added to end and returns what failed.
func (f *Follower) Wait() error {
	f.mu.Lock()
	for len(f.reading) > 0 {
		f.idle.Wait()
	}
	f.waited = true
	f.mu.Unlock()
	f.cancel()
	f.events.Wait()
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

// reportExit hands report container id's exit code, and when its run
// began, when it exited or died; a container removed meanwhile, or one
// never started, reports nothing.
func reportExit(ctx context.Context, h host.Host, id string, report func(code int, started time.Time) error) error {
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
	return report(c.State.ExitCode, c.State.StartedAt)
}

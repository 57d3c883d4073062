package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/engine/events"
	"berth/engine/jsonlog"
	"berth/engine/shimlog"
	"berth/internal/diskspace"
)

// get resolves ref and loads its record, reconciling a dead shim first.
// A record that cannot be read comes back as a dead container.
func (e *Engine) get(ref string) (*record, error) {
	return e.getWith(ref, e.store.load)
}

// getCached is get for a reader that changes nothing of the record and
// reads no more than briefOf keeps (Stats): it comes from the cache
// List keeps (loadCached), in the form the cache holds.
func (e *Engine) getCached(ref string) (*record, error) {
	return e.getWith(ref, func(id string) (*record, error) { return e.loadCached(id, anyRecord) })
}

func (e *Engine) getWith(ref string, load func(string) (*record, error)) (*record, error) {
	id, err := e.store.resolve(ref)
	if err != nil {
		return nil, err
	}
	c, err := e.loadOrDead(id, load)
	if err != nil {
		return nil, err
	}
	if e.shimDied(c) {
		return e.reconcile(id)
	}
	return c, nil
}

// locked resolves ref, takes the container's lock and loads it; call
// unlock when done.
func (e *Engine) locked(ref string) (c *record, unlock func(), err error) {
	id, err := e.store.resolve(ref)
	if err != nil {
		return nil, nil, err
	}
	unlock, err = e.store.lock(id)
	if err != nil {
		return nil, nil, err
	}
	c, err = e.store.load(id)
	if err == nil && e.shimDied(c) {
		err = e.markShimDead(c)
	}
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return c, unlock, nil
}

// active reports whether the record says a shim is looking after it: its
// state needs one, or one is starting or finishing it.
func active(c *record) bool {
	return c.State.Status.live() || c.ShimPID != 0
}

// shimAlive reports whether the shim the record names runs: its PID has
// its start time, in this boot.
func shimAlive(c *record) bool {
	return processStartTime(c.ShimPID) == c.ShimStart && sameBoot(c)
}

// sameBoot reports whether the record's shim was started in this boot.
func sameBoot(c *record) bool { return c.ShimBoot == "" || c.ShimBoot == bootID() }

// shimDied reports whether the record says a shim looks after the
// container and that shim is gone: its monitor process (as shimAlive,
// through e.shims), or the container's run directory, which a shim makes
// before it records itself and removes once it let go of the container
// (its monitor lives on, and the record may have been impossible to
// save: a full disk).
func (e *Engine) shimDied(c *record) bool {
	return active(c) && !(sameBoot(c) && e.shims.alive(c.ShimPID, c.ShimStart) && e.hasRunDir(c.ID))
}

// makeRunDir makes container id's run directory; see shimDied.
func (e *Engine) makeRunDir(id string) error {
	if err := os.MkdirAll(e.runDir(id), 0o700); err != nil {
		return fmt.Errorf("make run directory: %w", err)
	}
	return nil
}

func (e *Engine) hasRunDir(id string) bool {
	var st unix.Stat_t
	return unix.Stat(e.runDir(id), &st) == nil
}

// reconcile locks the container and, if its shim is dead, marks it
// exited and applies its restart policy (see revive), or removes it if it
// was run with --rm.
func (e *Engine) reconcile(id string) (*record, error) {
	unlock, err := e.store.lock(id)
	if err != nil {
		return nil, err
	}
	c, err := e.store.load(id)
	if err != nil || !e.shimDied(c) {
		unlock()
		return c, err
	}
	plan := planAfterShimDeath(c, time.Now())
	wasRunning := c.State.Status.hasProcess()
	if err := e.markShimDead(c); err != nil {
		unlock()
		return nil, err
	}
	if !plan.restart && wasRunning && c.HostConfig.AutoRemove {
		// What the shim would have done when the process ended (and
		// dockerd does to --rm containers it finds dead when it starts).
		err := e.destroy(c)
		unlock()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s (removed: run with --rm, its shim died)", ErrNotFound, c.DisplayName())
	}
	if !plan.restart {
		unlock()
		return c, nil
	}
	l := e.revive(c, plan)
	unlock()
	if l == nil {
		return c, nil
	}
	defer l.close()
	if plan.delay <= reviveWaitMax {
		l.settle(time.Now().Add(plan.delay + reviveStartTimeout))
	}
	return e.loadOrDead(id, e.store.load)
}

// markShimDead handles a container whose shim died (SIGKILL, machine
// crash, or a disk so full that it could not record the exit): whatever
// still runs in its cgroup is killed, the cgroup removed, and the
// container recorded as exited. The caller holds the lock.
func (e *Engine) markShimDead(c *record) error {
	// Best effort: the exit is recorded whatever is left, and removing
	// the container retries each step and reports what still fails.
	if cg, err := e.cgroup(c); err == nil {
		_ = cg.Destroy()
	}
	_ = os.RemoveAll(e.runDir(c.ID))
	_ = e.releaseNetwork(c)
	c.NetworkSettings = nil
	wasRunning := c.State.Status.hasProcess()
	if err := c.State.apply(evShimDied, time.Now().UTC()); err != nil {
		return fmt.Errorf("container %s: %w", c.DisplayName(), err)
	}
	if wasRunning {
		c.State.ExitCode = shimDiedExitCode
		c.State.Error = reasonShimDied
		endHealth(c)
	}
	c.ShimPID, c.ShimStart, c.ShimBoot = 0, 0, ""
	if err := e.store.save(c); err != nil {
		if diskspace.NoSpace(err) {
			// Derived from the dead shim, so the caller may go on with
			// it, and the next reader derives it again.
			return nil
		}
		return err
	}
	if wasRunning {
		e.event(c, "die", map[string]string{events.AttrExitCode: strconv.Itoa(shimDiedExitCode), events.AttrReason: reasonShimDied})
	}
	return nil
}

// cgroup is the container's cgroup manager (cached; see Engine.cgroups).
func (e *Engine) cgroup(c *record) (cgroups.Manager, error) {
	parent := c.HostConfig.CgroupParent
	if parent == "" {
		parent = e.opts.CgroupParent
	}
	key := parent + "/" + c.ID
	e.cgMu.Lock()
	defer e.cgMu.Unlock()
	if m, ok := e.cgroups[key]; ok {
		return m, nil
	}
	m, err := cgroups.New(e.opts.CgroupRoot, parent, c.ID)
	if err != nil {
		return nil, err
	}
	if e.cgroups == nil || len(e.cgroups) >= maxCachedCgroups {
		e.cgroups = make(map[string]cgroups.Manager) // forget removed containers' too
	}
	e.cgroups[key] = m
	return m, nil
}

// maxCachedCgroups bounds the cache in a long-lived process that sees
// containers come and go.
const maxCachedCgroups = 1024

// Inspect returns the container's record, with its shim's log and the
// last error logged there.
func (e *Engine) Inspect(ctx context.Context, ref string) (*Container, error) {
	c, err := e.get(ref)
	if err != nil {
		return nil, err
	}
	out := c.Container
	out.NetworkSettings = e.inspectNetworks(c)
	if out.Mounts == nil {
		out.Mounts = []MountPoint{} // docker's [] for a container without mounts
	}
	path := e.shimLogPath(c.ID)
	// A log that cannot be read never fails inspect: that is the error
	// it shows.
	last, ok, err := shimlog.Last(path)
	if err != nil {
		last, ok = shimlog.Entry{Message: err.Error()}, true
	}
	if ok {
		out.ShimLog = &ShimLog{Path: path, LastError: &last}
	}
	return &out, nil
}

// Stop sends the container's stop signal, waits up to the timeout, then
// kills everything in its cgroup. A stopped container is left alone. The
// signal goes before the record is saved: see stopByUser.
func (e *Engine) Stop(ctx context.Context, ref string, opts StopOptions) error {
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	if !active(c) {
		unlock()
		return nil
	}
	timeout := 10 * time.Second
	if c.Config.StopTimeout != nil {
		timeout = time.Duration(*c.Config.StopTimeout) * time.Second
	}
	if opts.Timeout != nil {
		timeout = *opts.Timeout
	}
	forever := timeout < 0 // docker's -t -1: wait as long as it takes
	sig, err := parseSignal(c.Config.StopSignal)
	if err != nil {
		sig = unix.SIGTERM
	}
	e.stopByUser(c, func() {
		if c.State.Status.hasProcess() && timeout != 0 {
			_ = e.signal(c, sig) // one that fails is followed by the kill below
		}
	})
	unlock()
	if c.State.Status.hasProcess() && timeout != 0 {
		wctx, cancel := context.WithCancel(ctx)
		if !forever {
			wctx, cancel = context.WithTimeout(ctx, timeout)
		}
		err := e.waitStopped(wctx, c.ID)
		cancel()
		if err == nil || errors.Is(err, ErrNotFound) {
			e.event(c, "stop", nil)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if cg, err := e.cgroup(c); err == nil {
		// A group already gone is a container that exited meanwhile, its
		// shim having removed the group: stopped, as asked.
		if err := cg.Kill(unix.SIGKILL); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, cgroups.ErrNotExist) {
			return fmt.Errorf("stop %s: %w", c.DisplayName(), err)
		}
		if c.State.Status == StatusPaused {
			_ = cg.Thaw() // the kill reaches frozen processes too; thawing lets them go
		}
	}
	if err := e.waitStopped(ctx, c.ID); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("stop %s: %w", c.DisplayName(), err)
	}
	e.event(c, "stop", nil)
	return nil
}

// signal sends sig to the container's PID 1; a paused container is thawed
// afterwards so that it can act on it, as docker does for stop.
func (e *Engine) signal(c *record, sig unix.Signal) error {
	if c.State.Pid <= 0 {
		return fmt.Errorf("%w: %s", ErrNotRunning, c.DisplayName())
	}
	if err := unix.Kill(c.State.Pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal %s: %w", c.DisplayName(), err)
	}
	if c.State.Status == StatusPaused && (sig == unix.SIGKILL || sig == unix.SIGTERM) {
		if cg, err := e.cgroup(c); err == nil {
			_ = cg.Thaw() // the signal is sent; a frozen process acts on it once thawed
		}
	}
	return nil
}

// stopByUser marks the container stopped by the user, so its restart
// policy leaves it down (docker's HasBeenManuallyStopped), around act,
// which signals it. The caller holds the lock. The shim is told first,
// through its monitor's socket, which needs no disk: it keeps the mark in
// memory, ends a restart back-off at once, and saves the mark with the
// exit. Then act, then the record is saved; on a full disk that save may
// fail even with the reserve, and the stop goes on: the shim's save
// carries the mark.
func (e *Engine) stopByUser(c *record, act func()) {
	c.ManuallyStopped = true
	if c.ShimPID > 0 && shimAlive(c) {
		// A shim just gone needs no telling, nor one that does not
		// answer in time: the save below keeps the mark.
		ctx, cancel := context.WithTimeout(context.Background(), stopTellTimeout)
		_, _ = e.tellMonitor(ctx, c.ShimPID, "stop", c.ID)
		cancel()
	}
	act()
	_ = e.store.save(c) // see above: the shim saves the mark when this cannot
}

// waitStopped returns once the record shows the container's process gone
// and its shim no longer running it.
func (e *Engine) waitStopped(ctx context.Context, id string) error {
	for {
		c, err := e.get(id)
		if err != nil {
			return err
		}
		if !active(c) {
			return nil
		}
		if c.State.Status.hasProcess() {
			if err := waitProcessExit(ctx, c.State.Pid, processStartTime(c.State.Pid)); err != nil {
				return err
			}
		}
		if err := e.waitShimDone(ctx, c); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// killWait bounds how long Kill waits for a SIGKILLed container to stop.
const killWait = 10 * time.Second

// Kill sends a signal ("" means SIGKILL) to the container's PID 1. With
// SIGKILL it returns once the container is stopped (or after killWait),
// as dockerd's kill does: a `kill` followed by `inspect` or `start` finds
// it exited.
func (e *Engine) Kill(ctx context.Context, ref string, signal string) error {
	if signal == "" {
		signal = "KILL"
	}
	sig, err := parseSignal(signal)
	if err != nil {
		return err
	}
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	if !c.State.Status.hasProcess() {
		unlock()
		return fmt.Errorf("cannot kill container %s: %w", c.DisplayName(), ErrNotRunning)
	}
	stopSig, _ := parseSignal(c.Config.StopSignal)
	if sig == unix.SIGKILL || sig == stopSig {
		e.stopByUser(c, func() { err = e.signal(c, sig) })
	} else {
		err = e.signal(c, sig)
	}
	unlock()
	if err != nil {
		return err
	}
	e.event(c, "kill", map[string]string{"signal": strconv.Itoa(int(sig))})
	if sig != unix.SIGKILL {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, killWait)
	defer cancel()
	if err := e.waitStopped(wctx, c.ID); err != nil && !errors.Is(err, ErrNotFound) && wctx.Err() == nil {
		return fmt.Errorf("kill %s: %w", c.DisplayName(), err)
	}
	return nil
}

// Pause freezes every process of the container.
func (e *Engine) Pause(ctx context.Context, ref string) error {
	return e.setPaused(ref, true)
}

// Unpause thaws a paused container.
func (e *Engine) Unpause(ctx context.Context, ref string) error {
	return e.setPaused(ref, false)
}

func (e *Engine) setPaused(ref string, pause bool) error {
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	defer unlock()
	cg, err := e.cgroup(c)
	if err != nil {
		return err
	}
	action, ev, change := "pause", evPause, cg.Freeze
	if !pause {
		action, ev, change = "unpause", evUnpause, cg.Thaw
		// A running container whose cgroup was frozen behind berth's
		// back (a shim that died while pausing, a hand-written freeze)
		// is paused in all but name: unpause thaws it.
		if frozen, ferr := cg.Paused(); ferr == nil && frozen && c.State.Status == StatusRunning {
			if err := cg.Thaw(); err != nil {
				return fmt.Errorf("unpause %s: %w", c.DisplayName(), err)
			}
			e.event(c, action, nil)
			return nil
		}
	}
	if err := c.State.apply(ev, time.Now().UTC()); err != nil {
		return fmt.Errorf("container %s: %w", c.DisplayName(), err)
	}
	if err := change(); err != nil {
		return fmt.Errorf("%s %s: %w", action, c.DisplayName(), err)
	}
	if err := e.store.save(c); err != nil {
		// The record and the cgroup must agree, or the next pause or
		// unpause is refused: undo. The save spent the reserve of space
		// already, so this is a disk that is full beyond it, or broken.
		undo := cg.Freeze
		if pause {
			undo = cg.Thaw
		}
		return errors.Join(fmt.Errorf("%s %s: %w", action, c.DisplayName(), err), undo())
	}
	e.event(c, action, nil)
	return nil
}

// Restart stops the container (if running) and starts it again.
func (e *Engine) Restart(ctx context.Context, ref string, opts StopOptions) error {
	if err := e.Stop(ctx, ref, opts); err != nil {
		return err
	}
	return e.Start(ctx, ref)
}

// Remove deletes a stopped container, or with Force kills a running one
// first. Its writable layer, cgroup, log and name all go.
func (e *Engine) Remove(ctx context.Context, ref string, opts RemoveOptions) error {
	c, unlock, err := e.locked(ref)
	if errors.Is(err, ErrDamaged) || errors.Is(err, ErrNotFound) && e.recordless(ref) {
		id, rerr := e.store.resolve(ref)
		if rerr != nil {
			return rerr
		}
		return e.removeDamaged(ctx, id, opts.Force)
	}
	if errors.Is(err, ErrNotFound) {
		if reclaimed, rerr := e.removeAbandoned(ref); rerr != nil || reclaimed {
			return rerr
		}
	}
	if err != nil {
		return err
	}
	if _, err := c.State.Status.next(evRemove); err != nil || active(c) {
		if !opts.Force {
			unlock()
			status := "running"
			if c.State.Status == StatusPaused {
				status = "paused"
			}
			return fmt.Errorf("cannot remove container %s: container is %s: stop the container before removing or force remove: %w",
				c.Name, status, ErrRunning)
		}
		e.stopByUser(c, func() {
			// act cannot fail; waitStopped below reports a container
			// that did not stop.
			if cg, err := e.cgroup(c); err == nil {
				_ = cg.Kill(unix.SIGKILL)
				_ = cg.Thaw()
			}
		})
		unlock()
		if err := e.waitStopped(ctx, c.ID); errors.Is(err, ErrNotFound) {
			return nil // its shim removed it (--rm)
		} else if err != nil {
			return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
		}
		if c, unlock, err = e.locked(c.ID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil // the shim removed it (--rm)
			}
			return err
		}
	}
	defer unlock()
	if err := e.destroy(c); err != nil {
		return err
	}
	if opts.Volumes {
		e.removeAnonymousVolumes(c)
	}
	return nil
}

// removeAbandoned removes what a create killed before it saved the
// record left under the name ref (its reservation and directory), as a
// later create of that name would (see reclaimAbandonedName); false when
// ref names no such leftover.
func (e *Engine) removeAbandoned(ref string) (bool, error) {
	name := strings.TrimPrefix(ref, "/")
	if name == "" || filepath.Base(name) != name {
		return false, nil
	}
	if _, err := os.Stat(filepath.Join(e.store.names, name)); err != nil {
		return false, nil
	}
	return e.store.reclaimAbandonedName(name, e.discardAbandoned)
}

// recordless reports whether ref names a container directory that has no
// record (a create that died before saving it, or a record deleted): it
// is removed as a damaged one is.
func (e *Engine) recordless(ref string) bool {
	id, err := e.store.resolve(ref)
	if err != nil {
		return false
	}
	_, err = os.Stat(e.store.dir(id))
	return err == nil
}

// destroy removes everything of a stopped container. The caller holds the
// lock. Its log goes first: it is what most likely filled the disk, and
// the steps after it write (the network's record, the directory the
// rootfs is renamed into before removal, which spends the reserve of space
// when the disk is full).
func (e *Engine) destroy(c *record) error {
	if err := jsonlog.Remove(c.LogPath); err != nil {
		return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
	}
	if cg, err := e.cgroup(c); err == nil {
		if err := cg.Destroy(); err != nil {
			return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
		}
	}
	if err := e.releaseNetwork(c); err != nil {
		return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
	}
	if err := e.reserve.Do(func() error { return e.images.RemoveRootfs(c.ID) }); err != nil {
		return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
	}
	if err := e.reserve.Do(func() error { return e.removeImageMounts(c) }); err != nil {
		return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
	}
	if err := e.store.removeDir(c.ID); err != nil {
		return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
	}
	// After the record: while the record names a shim, its run directory
	// says the shim has not let go (shimDied).
	if err := os.RemoveAll(e.runDir(c.ID)); err != nil {
		return fmt.Errorf("remove %s: %w", c.DisplayName(), err)
	}
	e.store.releaseName(c.DisplayName(), c.ID)
	e.event(c, "destroy", nil)
	return nil
}

// Rename gives a container a new unique name.
func (e *Engine) Rename(ctx context.Context, ref, newName string) error {
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkName(newName); err != nil {
		return err
	}
	old := c.DisplayName()
	if newName == old {
		return invalidf("renaming a container with the same name as its current name")
	}
	release, err := e.store.reserveName(newName, c.ID, e.discardAbandoned)
	if err != nil {
		return err
	}
	defer release()
	c.Name = "/" + newName
	if err := e.store.save(c); err != nil {
		e.store.releaseName(newName, c.ID)
		return err
	}
	e.store.releaseName(old, c.ID)
	e.event(c, "rename", map[string]string{"oldName": old})
	return nil
}

// Wait blocks until the container is stopped for good and returns its
// exit code, as `docker wait` does. Stopped for good means its shim has
// finished with it: the exit recorded, its network released, its cgroup
// removed, and with --rm the container removed, so that a Remove right
// after never finds it running. A restart policy that runs it again keeps
// Wait waiting.
func (e *Engine) Wait(ctx context.Context, ref string) (WaitResult, error) {
	id, err := e.store.resolve(ref)
	if err != nil {
		return WaitResult{}, err
	}
	for {
		c, err := e.get(id)
		if errors.Is(err, ErrNotFound) {
			if res, ok := e.lastExit(id); ok {
				return res, nil // --rm: its shim removed it
			}
			return WaitResult{}, fmt.Errorf("%w: %s (removed while waiting)", ErrNotFound, ref)
		}
		if err != nil {
			return WaitResult{}, err
		}
		if !active(c) {
			return WaitResult{ExitCode: c.State.ExitCode, Error: c.State.Error}, nil
		}
		if c.State.Status.hasProcess() {
			err = waitProcessExit(ctx, c.State.Pid, processStartTime(c.State.Pid))
		} else {
			// Its shim is starting it, backing off before a restart, or
			// finishing: the shim's exit, or a change of the record soon,
			// says what comes next.
			poll := waitShimPoll
			if c.State.Status == StatusRestarting {
				poll = waitRestartPoll // a back-off lasts up to a minute
			}
			wctx, cancel := context.WithTimeout(ctx, poll)
			err = e.waitShimDone(wctx, c)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				err = nil
			}
		}
		if err != nil {
			return WaitResult{}, err
		}
	}
}

// stopTellTimeout bounds the wait for a shim's monitor to take a stop.
const stopTellTimeout = 2 * time.Second

// waitShimPoll is how often Wait reads the record again while a shim
// starts or finishes a container, which takes milliseconds;
// waitRestartPoll while it backs off before a restart.
const (
	waitShimPoll    = 10 * time.Millisecond
	waitRestartPoll = 100 * time.Millisecond
)

// lastExit is the exit of container id as its last "die" event tells it:
// all that is left of a --rm container its shim removed.
func (e *Engine) lastExit(id string) (WaitResult, bool) {
	evs, err := e.events.Query(events.Filter{ID: id, Actions: []string{events.ActionDie}})
	if err != nil || len(evs) == 0 {
		return WaitResult{}, false
	}
	code, err := strconv.Atoi(evs[len(evs)-1].Attributes[events.AttrExitCode])
	if err != nil {
		return WaitResult{}, false
	}
	return WaitResult{ExitCode: code}, true
}

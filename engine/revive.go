package engine

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"berth/engine/events"
)

// reasonShimDied is the reason recorded (State.Error, the "reason" of the
// die and restart events) when a shim is found dead.
const reasonShimDied = "shim died"

// A command that notices a dead shim restarts its container when the
// policy says so (reconcile) and waits for the new shim to start it only
// when the back-off is short: `ps` must not hang on a container in a long
// back-off.
const (
	reviveWaitMax      = time.Second
	reviveStartTimeout = 10 * time.Second
)

// revive starts a new shim for c, whose shim died, to go on with its
// restart policy as plan says; it returns the launch (nil if none) for the
// caller to wait on once it has released c's lock, which it holds. The new
// shim is recorded as c's shim before the lock is released, so another
// command that noticed the same death finds it alive and starts no other;
// the new shim's claim accepts it (shimConfig.Restart), and refuses when
// it finds it was not recorded (a failed save below).
func (e *Engine) revive(c *record, plan restartPlan) *shimLaunch {
	l, err := e.launchShim(shimConfig{ID: c.ID, Restart: true, Delay: plan.delay, Reason: reasonShimDied})
	if err != nil {
		c.State.Error = fmt.Sprintf("restart after %s: %v", reasonShimDied, err)
		e.warnf("restart %s after its %s: %v", c.DisplayName(), reasonShimDied, err)
		if err := e.store.save(c); err != nil {
			e.warnf("%v", err)
		}
		return nil
	}
	if plan.counts {
		c.RestartCount++
	}
	c.RestartDelay = plan.backoff
	if err := c.State.apply(evRevive, time.Now().UTC()); err != nil {
		e.warnf("restart %s after its %s: %v", c.DisplayName(), reasonShimDied, err)
		l.close()
		return nil
	}
	c.ShimPID, c.ShimStart, c.ShimBoot = l.pid, processStartTime(l.pid), bootID()
	err = e.makeRunDir(c.ID)
	if err == nil {
		err = e.store.save(c)
	}
	if err != nil {
		e.warnf("restart %s after its %s: %v", c.DisplayName(), reasonShimDied, err)
		l.close()
		return nil
	}
	e.event(c, "restart", map[string]string{events.AttrRestartCount: strconv.Itoa(c.RestartCount), events.AttrReason: reasonShimDied})
	return l
}

// sweepRunDirs removes the run directories of containers that have no
// live shim: what a reboot leaves when the run root is not a tmpfs, or a
// killed shim left.
func (e *Engine) sweepRunDirs() error {
	dir := e.runDir("")
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("read run directory: %w", err)
	}
	for _, ent := range ents {
		id := ent.Name()
		c, err := e.store.load(id)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			continue // damaged: its shim may live; `system check` sees to it
		case active(c) && !e.shimDied(c):
			continue
		}
		if err := os.RemoveAll(e.runDir(id)); err != nil {
			return fmt.Errorf("remove run directory of %s: %w", id, err)
		}
	}
	return nil
}

// warnf tells the user what went wrong where no error can be returned
// (see Options.Warn).
func (e *Engine) warnf(format string, args ...any) {
	if e.opts.Warn != nil {
		e.opts.Warn(fmt.Sprintf(format, args...))
	}
}

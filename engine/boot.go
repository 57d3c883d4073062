package engine

import (
	"context"
	"errors"
	"fmt"
)

// reasonBoot is the reason recorded with the start of a container by Boot.
const reasonBoot = "boot"

// BootResult is what Boot did with one container.
type BootResult struct {
	ID   string
	Name string
	// Started is true when its restart policy started it, Removed when it
	// was run with --rm and had been running.
	Started, Removed bool
	// Err is why it could not be started or removed, or why its record
	// could not be read.
	Err error
}

// Boot applies the restart policies after a reboot, as dockerd does when
// it starts (startAtBoot says which containers start), and cleans up what
// the reboot left: run directories of containers without a live shim, and
// the network endpoints and cgroups of every container whose shim is gone
// (recorded as exited with 255). A container whose shim still runs is
// left alone, so running Boot twice does no harm. The containers to start
// are launched together, then waited for; the results list every container
// Boot started, removed or failed on.
func (e *Engine) Boot(ctx context.Context) ([]BootResult, error) {
	if err := e.sweepRunDirs(); err != nil {
		return nil, fmt.Errorf("boot: %w", err)
	}
	ids, err := e.store.ids()
	if err != nil {
		return nil, fmt.Errorf("boot: %w", err)
	}
	type pending struct {
		c   *record
		l   *shimLaunch
		res int // index in out
	}
	var out []BootResult
	var started []pending
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, c, l := e.bootOne(id)
		if r == nil {
			continue
		}
		out = append(out, *r)
		if l != nil {
			started = append(started, pending{c: c, l: l, res: len(out) - 1})
		}
	}
	for _, p := range started {
		err := p.l.started(p.c)
		p.l.close()
		if err != nil {
			out[p.res].Started, out[p.res].Err = false, err
		}
	}
	return out, nil
}

// bootOne settles one container under its lock: it marks a dead shim's
// container exited, releases what it held, and launches its shim when
// startAtBoot says so. The result is nil when there is nothing to report.
func (e *Engine) bootOne(id string) (*BootResult, *record, *shimLaunch) {
	unlock, err := e.store.lock(id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return &BootResult{ID: id, Err: err}, nil, nil
	}
	defer unlock()
	c, err := e.store.load(id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return &BootResult{ID: id, Err: err}, nil, nil
	}
	res := &BootResult{ID: id, Name: c.DisplayName()}
	wasActive := active(c)
	if wasActive && !e.shimDied(c) {
		return nil, nil, nil
	}
	start := startAtBoot(c)
	if wasActive {
		if err := e.markShimDead(c); err != nil {
			res.Err = err
			return res, nil, nil
		}
	} else if err := e.releaseLeftovers(c); err != nil {
		res.Err = err
		return res, nil, nil
	}
	if !start {
		if !wasActive || !c.HostConfig.AutoRemove {
			return nil, nil, nil
		}
		res.Removed, res.Err = true, e.destroy(c)
		return res, nil, nil
	}
	// As docker's start at daemon start: a new restart count and
	// back-off, and no longer stopped by the user.
	c.RestartCount, c.RestartDelay, c.ManuallyStopped = 0, 0, false
	l, err := e.launchShim(shimConfig{ID: id, Restart: true, Reason: reasonBoot})
	if err != nil {
		res.Err = err
		return res, nil, nil
	}
	c.ShimPID, c.ShimStart, c.ShimBoot = l.pid, processStartTime(l.pid), bootID()
	err = e.makeRunDir(id)
	if err == nil {
		err = e.store.save(c)
	}
	if err != nil {
		res.Err = err // the shim's claim finds it not recorded, and starts nothing
		l.close()
		return res, nil, nil
	}
	res.Started = true
	return res, c, l
}

// releaseLeftovers removes the network endpoints and the cgroup of a
// container that no shim looks after: a machine that went down while its
// shim was stopping it may have left them.
func (e *Engine) releaseLeftovers(c *record) error {
	if err := e.releaseNetwork(c); err != nil {
		return err
	}
	cg, err := e.cgroup(c)
	if err != nil {
		return err
	}
	if err := cg.Destroy(); err != nil {
		return fmt.Errorf("remove cgroup of %s: %w", c.DisplayName(), err)
	}
	return nil
}

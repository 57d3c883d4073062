package engine

import "time"

// Restart policies, as docker applies them, in three places: the shim,
// when the container's process exits (shouldRestart, nextBackoff);
// whoever notices that a shim died, in its place (planAfterShimDeath);
// and `berth system boot`, after a reboot (startAtBoot). Each is a pure
// function of the record.

// docker's restart back-off: 100ms doubling to a minute, reset after a run
// of ten seconds or more.
const (
	restartBackoffMin   = 100 * time.Millisecond
	restartBackoffMax   = time.Minute
	restartBackoffReset = 10 * time.Second
)

// shimDiedExitCode is the exit code recorded for a container whose shim
// died while it ran (or whose machine went down): docker's 255.
const shimDiedExitCode = 255

// shouldRestart is docker's restart policy for a process that exited.
func shouldRestart(p RestartPolicy, manuallyStopped bool, exitCode, restartCount int) bool {
	if manuallyStopped {
		return false
	}
	switch p.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return exitCode != 0 && (p.MaximumRetryCount == 0 || restartCount < p.MaximumRetryCount)
	}
	return false
}

// nextBackoff is the wait before a restart, given the previous one (0 if
// none) and how long the process ran: docker's restart manager.
func nextBackoff(last, ranFor time.Duration) time.Duration {
	if last <= 0 || ranFor >= restartBackoffReset {
		return restartBackoffMin
	}
	return min(last*2, restartBackoffMax)
}

// restartPlan is what to do for a container whose shim died.
type restartPlan struct {
	restart bool
	// delay is the wait before the new shim starts the process; backoff is
	// the back-off it continues from (recorded as RestartDelay).
	delay, backoff time.Duration
	// counts is true when this is a new restart (RestartCount goes up);
	// false when the dead shim had already decided it and was waiting.
	counts bool
}

// planAfterShimDeath applies the restart policy for a shim that died, as
// the shim would have: a running process died with it (exit 255), and a
// restart it was waiting out keeps its back-off. c is the record as the
// dead shim left it.
func planAfterShimDeath(c *record, now time.Time) restartPlan {
	switch {
	case c.State.Status == StatusRestarting:
		if c.ManuallyStopped {
			return restartPlan{}
		}
		backoff := max(c.RestartDelay, restartBackoffMin)
		left := backoff - now.Sub(c.State.FinishedAt)
		return restartPlan{restart: true, delay: min(max(left, 0), backoff), backoff: backoff}
	case c.State.Status.hasProcess():
		if !shouldRestart(c.HostConfig.RestartPolicy, c.ManuallyStopped, shimDiedExitCode, c.RestartCount) {
			return restartPlan{}
		}
		backoff := nextBackoff(c.RestartDelay, now.Sub(c.State.StartedAt))
		return restartPlan{restart: true, delay: backoff, backoff: backoff, counts: true}
	}
	return restartPlan{}
}

// startAtBoot is docker's rule when its daemon starts (daemon.restore),
// applied to a container whose shim is gone: one that never started stays
// created; one that was running, paused or restarting stopped with 255.
// Then "always" starts it, even if the user stopped it (docker: "restarted
// only when the daemon restarts"); "unless-stopped" unless the user
// stopped it; "on-failure" when it failed (or was waiting out a retry) and
// has retries left, unless the user stopped it. c is the record as found.
func startAtBoot(c *record) bool {
	if c.State.StartedAt.IsZero() {
		return false
	}
	p := c.HostConfig.RestartPolicy
	switch p.Name {
	case "always":
		return true
	case "unless-stopped":
		return !c.ManuallyStopped
	case "on-failure":
		switch {
		case c.ManuallyStopped:
			return false
		case c.State.Status == StatusRestarting:
			return true // the retry was granted before the machine went down
		}
		failed := c.State.Status.hasProcess() || c.State.ExitCode != 0
		return failed && (p.MaximumRetryCount == 0 || c.RestartCount < p.MaximumRetryCount)
	}
	return false
}

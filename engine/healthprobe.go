package engine

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The shim runs a container's healthcheck while its process runs: a
// goroutine that enters the container as `berth exec` does, with the
// container's user, environment and working directory, at the probe's
// intervals. A probe runs in a session of its own (the launcher leads
// it, and the command inside and its children stay in its process
// group), so that a probe out of time, or one running when the container
// stops, is killed whole, and what a probe that ended left running is
// killed too: no probe process outlives its run (docker leaves those).

// errOtherRun means the run a probe's result was for has ended.
var errOtherRun = errors.New("the run the probe was for has ended")

// healthMonitor probes one run of a container.
type healthMonitor struct {
	s         *shim
	probe     *healthProbe
	startedAt time.Time // the run's State.StartedAt: results of another run are dropped
	stopCh    chan struct{}
	done      chan struct{}
}

// resetHealth is a new run's State.Health: starting, when the container
// has a healthcheck.
func resetHealth(c *record) {
	if probeOf(c.Config.Healthcheck) == nil {
		c.State.Health = nil
		return
	}
	if c.State.Health == nil {
		c.State.Health = &Health{Log: []HealthResult{}}
	}
	c.State.Health.restart()
}

// endHealth is State.Health once the process ended: unhealthy, as docker
// says when its monitor stops.
func endHealth(c *record) {
	if c.State.Health != nil {
		c.State.Health.Status = HealthUnhealthy
	}
}

// startHealth starts probing the run that just started; nil (which stop
// accepts) when the container has no healthcheck.
func (s *shim) startHealth(c *record) *healthMonitor {
	probe := probeOf(c.Config.Healthcheck)
	if probe == nil {
		return nil
	}
	cur, err := s.e.store.load(s.id)
	if err != nil {
		s.logf("healthcheck: read the container's start: %v", err)
		return nil
	}
	m := &healthMonitor{s: s, probe: probe, startedAt: cur.State.StartedAt,
		stopCh: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m
}

// stop ends the probing, killing a probe that runs, and waits for it.
func (m *healthMonitor) stop() {
	if m == nil {
		return
	}
	close(m.stopCh)
	<-m.done
}

func (m *healthMonitor) run() {
	defer close(m.done)
	timer := time.NewTimer(m.probe.next(HealthStarting, 0))
	defer timer.Stop()
	for {
		select {
		case <-m.stopCh:
			return
		case <-timer.C:
		}
		res, ok := m.runProbe()
		if !ok {
			return
		}
		status, err := m.record(res)
		if err != nil {
			if !errors.Is(err, errOtherRun) {
				m.s.logf("healthcheck: record the result: %v", err)
			}
			status = HealthStarting
		}
		timer.Reset(m.probe.next(status, time.Since(m.startedAt)))
	}
}

// runProbe runs the probe once; false means the monitor was stopped
// meanwhile (the probe, if any, killed).
func (m *healthMonitor) runProbe() (HealthResult, bool) {
	start := time.Now()
	failed := func(err error) (HealthResult, bool) {
		return HealthResult{Start: start, End: time.Now(), ExitCode: -1, Output: err.Error()}, true
	}
	sess, err := m.s.e.Exec(context.Background(), m.s.id, ExecOptions{Cmd: m.probe.args})
	if err != nil {
		return failed(err)
	}
	cmdline := strings.Join(m.probe.args, " ")
	m.s.e.event(sess.c, "exec_create: "+cmdline, nil)
	cmd := sess.cmd
	var out limitedOutput
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// A probe that leaves a child holding its output does not hold up
	// its result longer than this.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return failed(err)
	}
	m.s.e.event(sess.c, "exec_start: "+cmdline, nil)
	waited := make(chan error, 1)
	go func() {
		// The launcher leads the probe's process group; until it is
		// reaped its PID cannot name another group. Once it ended,
		// whatever the probe left running (a `cmd &`) is killed.
		var info unix.Siginfo
		for {
			err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
			if !errors.Is(err, unix.EINTR) {
				break
			}
		}
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL) // ESRCH: nothing was left
		waited <- cmd.Wait()
	}()
	timeout := time.NewTimer(m.probe.timeout)
	defer timeout.Stop()
	kill := func() {
		// The probe's whole process group; it may have just exited.
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		m.waited(<-waited)
	}
	select {
	case err := <-waited:
		m.waited(err)
		code := sess.ExitCode()
		m.s.e.event(sess.c, "exec_die", map[string]string{"exitCode": strconv.Itoa(code)})
		return HealthResult{Start: start, End: time.Now(), ExitCode: code, Output: out.String()}, true
	case <-timeout.C:
		kill()
		m.s.e.event(sess.c, "exec_die", map[string]string{"exitCode": strconv.Itoa(sess.ExitCode())})
		return timeoutResult(start, m.probe.timeout), true
	case <-m.stopCh:
		kill()
		return HealthResult{}, false
	}
}

// waited logs what went wrong waiting for a probe, beyond its exit
// status (which is its result).
func (m *healthMonitor) waited(err error) {
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		m.s.logf("healthcheck: wait for the probe: %v", err)
	}
}

// record saves a result in the container's state, and tells of a change
// of status with docker's health_status event. It returns the status.
func (m *healthMonitor) record(res HealthResult) (string, error) {
	var changed bool
	c, err := m.s.update(func(c *record) error {
		if !c.State.Status.hasProcess() || !c.State.StartedAt.Equal(m.startedAt) {
			return errOtherRun
		}
		if c.State.Health == nil {
			c.State.Health = &Health{Status: HealthStarting, Log: []HealthResult{}}
		}
		changed = c.State.Health.record(res, m.probe, c.State.StartedAt)
		return nil
	})
	if err != nil {
		return "", err
	}
	if changed {
		m.s.e.event(c, "health_status: "+c.State.Health.Status, nil)
	}
	return c.State.Health.Status, nil
}

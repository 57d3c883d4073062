package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/events"
	"berth/internal/flock"
	"berth/ptyexec"
)

// Start starts a created or stopped container in the background and
// returns once its command runs (or failed to: the error then carries
// docker's exit code, see ExitCode). Starting a running container does
// nothing.
func (e *Engine) Start(ctx context.Context, ref string) error {
	c, err := e.startable(ref)
	if err != nil || c == nil {
		return err
	}
	l, err := e.launchShim(shimConfig{ID: c.ID})
	if err != nil {
		return err
	}
	defer l.close()
	return l.started(c)
}

// startable loads a container that may be started; nil when it is
// already running.
func (e *Engine) startable(ref string) (*record, error) {
	c, unlock, err := e.locked(ref)
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, err = c.State.Status.next(evStart)
	switch {
	case errors.Is(err, ErrPaused):
		return nil, fmt.Errorf("cannot start a paused container %s, try unpause instead: %w", c.DisplayName(), ErrPaused)
	case active(c):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("cannot start container %s: %w", c.DisplayName(), err)
	}
	return c, nil
}

// Run starts a container with the caller's streams attached from its first
// byte of output, and returns when it exits or the caller detaches.
func (e *Engine) Run(ctx context.Context, ref string, opts AttachOptions) (RunResult, error) {
	c, err := e.startable(ref)
	if err != nil {
		return RunResult{}, err
	}
	if c == nil {
		if opts.Started != nil {
			opts.Started()
		}
		return e.Attach(ctx, ref, opts)
	}
	l, err := e.launchShim(shimConfig{ID: c.ID, WaitAttach: true})
	if err != nil {
		return RunResult{}, err
	}
	defer l.close()
	rep, err := l.next()
	if err != nil {
		return RunResult{}, err
	}
	if rep.State == "failed" {
		return RunResult{}, reportError(c, rep)
	}
	conn, err := dialUnix(e.attachSocket(c.ID))
	if err != nil {
		return RunResult{}, fmt.Errorf("attach %s: %w", c.DisplayName(), err)
	}
	done := make(chan RunResult, 1)
	var attachErr error
	go func() {
		res, err := e.attachConn(ctx, conn, c, opts)
		attachErr = err
		done <- res
	}()
	if err := l.started(c); err != nil {
		_ = conn.Close()
		<-done
		return RunResult{}, err
	}
	if opts.Started != nil {
		opts.Started()
	}
	res := <-done
	return res, attachErr
}

// Attach connects the caller's streams to a running container until it
// exits or the caller detaches.
func (e *Engine) Attach(ctx context.Context, ref string, opts AttachOptions) (RunResult, error) {
	c, err := e.get(ref)
	if err != nil {
		return RunResult{}, err
	}
	if !c.State.Status.hasProcess() {
		return RunResult{}, fmt.Errorf("you cannot attach to a stopped container, start it first: %w", ErrNotRunning)
	}
	if c.State.Status == StatusPaused {
		return RunResult{}, fmt.Errorf("you cannot attach to a paused container, unpause it first: %w", ErrPaused)
	}
	conn, err := dialUnix(e.attachSocket(c.ID))
	if err != nil {
		return RunResult{}, fmt.Errorf("attach %s: %w", c.DisplayName(), err)
	}
	return e.attachConn(ctx, conn, c, opts)
}

func (e *Engine) attachConn(ctx context.Context, conn net.Conn, c *record, opts AttachOptions) (RunResult, error) {
	ao := ptyexec.AttachOptions{
		Stdout:       opts.Stdout,
		Stderr:       opts.Stderr,
		Tty:          c.Config.Tty,
		DetachKeys:   opts.DetachKeys,
		NoDetachKeys: opts.NoDetachKeys,
		Size:         opts.Size,
		Resize:       opts.Resize,
	}
	if opts.Stdin != nil && c.Config.OpenStdin {
		ao.Stdin = opts.Stdin
	}
	if !c.Config.Tty && !opts.NoSignalProxy {
		// docker's --sig-proxy: without a terminal, ctrl-c and friends
		// sent to berth go to the container.
		id := c.ID
		ao.OnSignal = func(sig os.Signal) {
			s, ok := sig.(syscall.Signal)
			if cur, err := e.get(id); ok && err == nil && cur.State.Status.hasProcess() && cur.State.Pid > 0 {
				_ = unix.Kill(cur.State.Pid, s) // it may have just exited
			}
		}
	}
	e.event(c, events.ActionAttach, nil)
	code, detached, err := ptyexec.Attach(ctx, conn, ao)
	if err != nil {
		return RunResult{}, fmt.Errorf("attach %s: %w", c.DisplayName(), err)
	}
	if detached {
		e.event(c, events.ActionDetach, nil)
	}
	return RunResult{ExitCode: code, Detached: detached}, nil
}

// shimLaunch is a shim being started: its reports, on the ready pipe of
// a new monitor or the connection to a monitor that took it, tell how it
// went. pid is the monitor's.
type shimLaunch struct {
	pid     int
	ready   reportStream
	dec     *json.Decoder
	pending *shimReport // read already, not yet handed out
}

// reportStream is where a launch's reports come from: a pipe or a
// connection.
type reportStream interface {
	io.ReadCloser
	SetReadDeadline(t time.Time) error
}

// launchShim starts a shim with cfg (its Options are the engine's): in
// a monitor that takes it, or in a new monitor (monitor.go). A new one
// is started under the run root's spawn lock, held until it listens, so
// that starts at the same moment join one new monitor rather than each
// start their own.
func (e *Engine) launchShim(cfg shimConfig) (*shimLaunch, error) {
	cfg.Options = e.opts
	if l := e.joinMonitor(cfg); l != nil {
		return l, nil
	}
	if err := os.MkdirAll(e.monitorDir(), 0o700); err == nil {
		if unlock, err := flock.Lock(filepath.Join(e.monitorDir(), "spawn.lock")); err == nil {
			defer unlock()
			if l := e.joinMonitor(cfg); l != nil { // started while this waited
				return l, nil
			}
		}
	} // without the lock, a monitor of its own all the same
	l, err := e.spawnMonitor(cfg)
	if err != nil {
		return nil, err
	}
	rep, err := l.next()
	if err != nil {
		l.close()
		return nil, err
	}
	if rep.State != monitorTaken {
		l.pending = &rep // a failure, for the caller to report
	}
	return l, nil
}

// spawnMonitor starts a new monitor with cfg as its first container.
func (e *Engine) spawnMonitor(cfg shimConfig) (*shimLaunch, error) {
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start shim: %w", err)
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		_ = cfgR.Close()
		_ = cfgW.Close()
		return nil, fmt.Errorf("start shim: %w", err)
	}
	cmd := &exec.Cmd{
		Path: e.opts.Exe,
		Args: []string{shimArg0},
		Env:  []string{"PATH=" + defaultPath},
		// It outlives its caller and lingers when idle: it must not keep
		// the caller's working directory busy (an unmount, a removal).
		Dir:         "/",
		ExtraFiles:  []*os.File{cfgR, readyW},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	_ = cfgR.Close()
	_ = readyW.Close()
	if err != nil {
		_ = cfgW.Close()
		_ = readyR.Close()
		return nil, fmt.Errorf("start shim: %w", err)
	}
	// The shim runs on after this process; whoever lives longer reaps it.
	go func() { _ = cmd.Wait() }()
	err = json.NewEncoder(cfgW).Encode(cfg)
	_ = cfgW.Close() // a pipe: the write above is what can fail
	if err != nil {
		_ = readyR.Close()
		return nil, fmt.Errorf("start shim: %w", err)
	}
	return &shimLaunch{pid: cmd.Process.Pid, ready: readyR, dec: json.NewDecoder(readyR)}, nil
}

func (l *shimLaunch) next() (shimReport, error) {
	if r := l.pending; r != nil {
		l.pending = nil
		return *r, nil
	}
	var r shimReport
	if err := l.dec.Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return r, fmt.Errorf("%w: it exited without a word", ErrShimStart)
		}
		return r, fmt.Errorf("%w: %w", ErrShimStart, err)
	}
	return r, nil
}

// started waits for the shim's "started" or "failed".
func (l *shimLaunch) started(c *record) error {
	for {
		rep, err := l.next()
		if err != nil {
			return err
		}
		switch rep.State {
		case "started":
			return nil
		case "failed":
			return reportError(c, rep)
		}
	}
}

func (l *shimLaunch) close() { _ = l.ready.Close() } // the read end: nothing to flush

// settle waits, at most until deadline, for the shim to report that the
// container started or failed to; the report itself is not needed.
func (l *shimLaunch) settle(deadline time.Time) {
	if err := l.ready.SetReadDeadline(deadline); err != nil {
		return
	}
	for {
		rep, err := l.next()
		if err != nil || rep.State != "listening" {
			return
		}
	}
}

func reportError(c *record, rep shimReport) error {
	return &ExitError{Code: rep.Code, Err: fmt.Errorf("start %s: %s", c.DisplayName(), rep.Error)}
}

package ptyexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// The sessions below satisfy Bubble Tea's tea.ExecCommand (Run, SetStdin,
// SetStdout, SetStderr) so the TUI can suspend itself and hand the terminal
// to a container with tea.Exec; the CLI runs the same sessions on os.Stdin
// and friends. As with tea's own exec.Cmd wrapper, the Set methods fill in
// only streams left nil at construction.

// AttachSession attaches to a container's shim.
type AttachSession struct {
	dial     func(context.Context) (net.Conn, error)
	opts     AttachOptions
	code     int
	detached bool
}

// NewAttachSession returns a session that dials the shim's attach socket
// with dial and runs Attach with opts.
func NewAttachSession(dial func(context.Context) (net.Conn, error), opts AttachOptions) *AttachSession {
	return &AttachSession{dial: dial, opts: opts}
}

// SetStdin sets the user's input if none was given.
func (s *AttachSession) SetStdin(r io.Reader) {
	if s.opts.Stdin == nil {
		s.opts.Stdin = r
	}
}

// SetStdout sets where output goes if nothing was given.
func (s *AttachSession) SetStdout(w io.Writer) {
	if s.opts.Stdout == nil {
		s.opts.Stdout = w
	}
}

// SetStderr sets where stderr goes if nothing was given.
func (s *AttachSession) SetStderr(w io.Writer) {
	if s.opts.Stderr == nil {
		s.opts.Stderr = w
	}
}

// Run attaches until the container exits or the user detaches. It returns
// nil in both cases; ExitCode and Detached tell which.
func (s *AttachSession) Run() error {
	ctx := context.Background()
	conn, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("attach: dial: %w", err)
	}
	s.code, s.detached, err = Attach(ctx, conn, s.opts)
	return err
}

// ExitCode is the container's exit code after Run returned nil without
// detaching.
func (s *AttachSession) ExitCode() int { return s.code }

// Detached reports whether Run ended because the user typed the detach keys.
func (s *AttachSession) Detached() bool { return s.detached }

// drainTimeout bounds how long an exec session keeps copying terminal
// output after the command exited: a background child still holding the
// terminal must not keep the session open.
const drainTimeout = 200 * time.Millisecond

// ExecOptions configures an ExecSession.
type ExecOptions struct {
	// Tty runs the command on a new PTY whose size follows the user's
	// terminal; the user's terminal is in raw mode meanwhile.
	Tty bool
	// Start starts the command; nil means cmd.Start. An nsenter.Cmd passes
	// its own Start, which finishes entering the container.
	Start func() error
	// Size and Resize, with Tty, give the window size when the user's side
	// is not a terminal berth can measure (the TUI's embedded terminal
	// pane): Size is the initial size, each value from Resize a new one.
	// Zero and nil mean the size comes from the terminal and SIGWINCH.
	Size   Size
	Resize <-chan Size
	// PTYRoot, with Tty, is the root filesystem whose dev/ptmx the PTY is
	// opened from; "" means the host's /dev/ptmx. For berth exec pass
	// /proc/<container pid>/root: the terminal is then in the container's
	// devpts and tty(1) inside names it.
	PTYRoot string
	// NoSignalProxy keeps SIGINT, SIGTERM and SIGHUP sent to berth from
	// going to the command: a server running it for a remote client,
	// whose own stop must not stop the command.
	NoSignalProxy bool
}

// ExecSession runs a local command, usually one entering a container
// (nsenter.Cmd), on the user's terminal: docker exec without a daemon.
type ExecSession struct {
	cmd            *exec.Cmd
	opts           ExecOptions
	stdin          io.Reader
	stdout, stderr io.Writer
	code           int
}

// NewExecSession returns a session for cmd. The session sets cmd's
// Stdin, Stdout, Stderr and, with a tty, SysProcAttr's Setsid and Setctty;
// the caller sets everything else.
func NewExecSession(cmd *exec.Cmd, opts ExecOptions) *ExecSession {
	if opts.Start == nil {
		opts.Start = cmd.Start
	}
	return &ExecSession{cmd: cmd, opts: opts}
}

// SetStdin sets the user's input if none was set.
func (s *ExecSession) SetStdin(r io.Reader) {
	if s.stdin == nil {
		s.stdin = r
	}
}

// SetStdout sets where output goes if nothing was set.
func (s *ExecSession) SetStdout(w io.Writer) {
	if s.stdout == nil {
		s.stdout = w
	}
}

// SetStderr sets where stderr goes if nothing was set.
func (s *ExecSession) SetStderr(w io.Writer) {
	if s.stderr == nil {
		s.stderr = w
	}
}

// ExitCode is the command's exit code after Run (-1 when a signal ended
// it), as exec.ProcessState.ExitCode reports it.
func (s *ExecSession) ExitCode() int { return s.code }

// Run starts the command, copies the user's streams until it exits, and
// returns nil when it ran, whatever its exit code. SIGINT, SIGTERM and
// SIGHUP sent to berth meanwhile are passed on to the command.
func (s *ExecSession) Run() (err error) {
	con := newConsole(s.stdin, s.stdout, s.stderr)
	if s.opts.Tty {
		err = s.runTty(con)
	} else {
		err = s.runPipes(con)
	}
	if err != nil {
		return err
	}
	s.code = s.cmd.ProcessState.ExitCode()
	return nil
}

func (s *ExecSession) runTty(con console) (err error) {
	var master, slave *os.File
	if s.opts.PTYRoot != "" {
		master, slave, err = OpenPTYIn(s.opts.PTYRoot)
	} else {
		master, slave, err = OpenPTY()
	}
	if err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	defer func() { _ = master.Close() }()
	size, ok := s.opts.Size, s.opts.Size != (Size{})
	if !ok {
		size, ok = con.size()
	}
	if ok {
		if err := SetSize(master, size); err != nil {
			_ = slave.Close()
			return err
		}
	}
	s.cmd.Stdin, s.cmd.Stdout, s.cmd.Stderr = slave, slave, slave
	if s.cmd.SysProcAttr == nil {
		s.cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	s.cmd.SysProcAttr.Setsid, s.cmd.SysProcAttr.Setctty, s.cmd.SysProcAttr.Ctty = true, true, 0

	restore, err := con.makeRaw(true)
	if err != nil {
		_ = slave.Close()
		return fmt.Errorf("exec: %w", err)
	}
	defer func() {
		if rerr := restore(); rerr != nil && err == nil {
			err = rerr
		}
	}()
	signals, stopSignals := notifySignals(con.hasSize, !s.opts.NoSignalProxy)
	defer stopSignals()

	err = s.opts.Start()
	_ = slave.Close()
	if err != nil {
		return err
	}
	outputDone := make(chan struct{})
	go func() {
		defer close(outputDone)
		if con.stdout != nil {
			_, _ = io.Copy(con.stdout, master)
		} else {
			_, _ = io.Copy(io.Discard, master)
		}
	}()
	if con.stdin != nil {
		pump := startStdinPump(con.stdin, nil, func(p []byte) error {
			_, err := master.Write(p)
			return err
		}, func(error) {})
		defer pump.stop()
	}
	waitErr := s.wait(signals, s.opts.Resize, func(size Size) {
		if size == (Size{}) {
			size, _ = con.size()
		}
		if size != (Size{}) {
			_ = SetSize(master, size)
		}
	})
	_ = master.SetReadDeadline(time.Now().Add(drainTimeout))
	<-outputDone
	return waitErr
}

func (s *ExecSession) runPipes(con console) error {
	s.cmd.Stdout, s.cmd.Stderr = con.stdout, con.stderr
	var stdin io.WriteCloser
	if con.stdin != nil {
		var err error
		if stdin, err = s.cmd.StdinPipe(); err != nil {
			return fmt.Errorf("exec: %w", err)
		}
	}
	signals, stopSignals := notifySignals(false, !s.opts.NoSignalProxy)
	defer stopSignals()
	if err := s.opts.Start(); err != nil {
		return err
	}
	if stdin != nil {
		pump := startStdinPump(con.stdin, nil, func(p []byte) error {
			_, err := stdin.Write(p)
			return err
		}, func(error) { _ = stdin.Close() })
		defer pump.stop()
	}
	return s.wait(signals, nil, nil)
}

// wait waits for the command, passing on signals and window changes: a
// SIGWINCH calls resize with the zero Size (measure the terminal), a value
// from sizes with that value.
func (s *ExecSession) wait(signals <-chan os.Signal, sizes <-chan Size, resize func(Size)) error {
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	for {
		select {
		case err := <-done:
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				return fmt.Errorf("exec: wait: %w", err)
			}
			return nil
		case sig := <-signals:
			if sig == syscall.SIGWINCH {
				if resize != nil {
					resize(Size{})
				}
				continue
			}
			_ = s.cmd.Process.Signal(sig)
		case size := <-sizes:
			if resize != nil && size != (Size{}) {
				resize(size)
			}
		}
	}
}

// notifySignals catches the signals a session passes on (when proxy is
// set) and SIGWINCH (when winch is) until stop is called.
func notifySignals(winch, proxy bool) (signals <-chan os.Signal, stop func()) {
	ch := make(chan os.Signal, 8)
	var sigs []os.Signal
	if proxy {
		sigs = append(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	}
	if winch {
		sigs = append(sigs, syscall.SIGWINCH)
	}
	if len(sigs) == 0 {
		return ch, func() {}
	}
	signal.Notify(ch, sigs...)
	return ch, func() { signal.Stop(ch) }
}

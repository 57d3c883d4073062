package ptyexec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// AttachOptions configures the client side of an attach session. The zero
// value attaches to no stream at all.
type AttachOptions struct {
	// Stdin is the user's input; nil sends none. When it is a terminal
	// and Tty is set, it is put into raw mode for the session and always
	// restored. EOF on Stdin closes the container's stdin.
	Stdin io.Reader
	// Stdout and Stderr receive the container's output; nil does not ask
	// for that stream. With a tty all output arrives on Stdout.
	Stdout io.Writer
	Stderr io.Writer
	// Tty must match the container: true when it runs on a terminal.
	Tty bool
	// Size and Resize give the window size when the user's side is not a
	// terminal berth can measure (the TUI's embedded terminal pane): Size
	// is the initial size, each value from Resize a new one. Zero and nil
	// mean the size comes from the terminal and SIGWINCH.
	Size   Size
	Resize <-chan Size
	// DetachKeys is the detach sequence in docker's --detach-keys syntax;
	// empty means DefaultDetachKeys. Detaching needs Stdin.
	DetachKeys string
	// NoDetachKeys passes every byte of Stdin to the container, the
	// detach sequence included (a CRI attach: kubectl has none).
	NoDetachKeys bool
	// OnSignal, when set, receives SIGINT, SIGTERM and SIGHUP sent to
	// berth during the session (docker's --sig-proxy) and the session goes
	// on. When nil those signals end the session with ErrInterrupted,
	// after the terminal is restored.
	OnSignal func(os.Signal)
}

// attachResult is how the session ended.
type attachResult struct {
	code     int
	detached bool
	err      error
}

// Attach runs the client side of an attach session on conn (connected to
// the shim's attach socket) until the container exits, the user types the
// detach keys, ctx is done, or the connection fails. It sends the opening
// request, copies the user's streams, and forwards window size changes
// (SIGWINCH) when the session is a tty. exitCode is the container's exit
// code; it is meaningful only when err is nil and detached is false.
// Attach closes conn and restores the terminal before it returns.
func Attach(ctx context.Context, conn net.Conn, opts AttachOptions) (exitCode int, detached bool, err error) {
	defer func() { _ = conn.Close() }()
	keysSpec := opts.DetachKeys
	if keysSpec == "" {
		keysSpec = DefaultDetachKeys
	}
	keys, err := ParseDetachKeys(keysSpec)
	if err != nil {
		return 0, false, err
	}
	con := newConsole(opts.Stdin, opts.Stdout, opts.Stderr)
	req := Request{
		Stdin:      opts.Stdin != nil,
		Stdout:     opts.Stdout != nil,
		Stderr:     opts.Stderr != nil,
		Tty:        opts.Tty,
		DetachKeys: keysSpec,
	}
	if opts.Tty {
		req.Size = opts.Size
		if req.Size == (Size{}) {
			req.Size, _ = con.size()
		}
	}

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)
	winch := make(chan os.Signal, 1)
	if opts.Tty && con.hasSize {
		signal.Notify(winch, syscall.SIGWINCH)
		defer signal.Stop(winch)
	}

	// Raw mode before the request: output may follow it at once.
	restore, err := con.makeRaw(opts.Tty)
	if err != nil {
		return 0, false, fmt.Errorf("attach: %w", err)
	}
	defer func() {
		if rerr := restore(); rerr != nil && err == nil {
			err = rerr
		}
	}()

	c := &attachClient{conn: conn, ended: make(chan attachResult, 3)}
	first, err := RequestFrame(req)
	if err != nil {
		return 0, false, err
	}
	if err := c.send(first); err != nil {
		return 0, false, fmt.Errorf("attach: %w", err)
	}

	outputDone := make(chan struct{})
	go func() {
		defer close(outputDone)
		c.end(c.receive(opts.Stdout, opts.Stderr))
	}()
	if opts.Stdin != nil {
		wrap := func(r io.Reader) io.Reader { return newDetachReader(r, keys) }
		if opts.NoDetachKeys {
			wrap = nil
		}
		pump := startStdinPump(opts.Stdin, wrap,
			func(p []byte) error { return c.send(Frame{Type: FrameStdin, Data: p}) },
			c.stdinEnded)
		defer pump.stop()
	}

	res := c.wait(ctx, signals, winch, opts.Resize, con, opts.OnSignal)
	_ = conn.Close()
	<-outputDone
	return res.code, res.detached, res.err
}

// attachClient is the state shared by the goroutines of one Attach.
type attachClient struct {
	conn   net.Conn
	sendMu sync.Mutex
	ended  chan attachResult
}

func (c *attachClient) send(f Frame) error {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	return WriteFrame(c.conn, f)
}

func (c *attachClient) end(r attachResult) {
	select {
	case c.ended <- r:
	default:
	}
}

// stdinEnded turns the end of the user's input into the next step: a
// detach ends the session; EOF closes the container's stdin and the
// session goes on until the container exits.
func (c *attachClient) stdinEnded(err error) {
	switch {
	case errors.Is(err, ErrDetached):
		c.end(attachResult{detached: true})
	case errors.Is(err, io.EOF):
		if serr := c.send(Frame{Type: FrameStdinClose}); serr != nil {
			c.end(attachResult{err: fmt.Errorf("attach: %w", serr)})
		}
	default:
		c.end(attachResult{err: fmt.Errorf("attach: read stdin: %w", err)})
	}
}

// receive copies output frames to the user until the exit or error frame.
func (c *attachClient) receive(stdout, stderr io.Writer) attachResult {
	r := bufio.NewReader(c.conn)
	for {
		f, err := ReadFrame(r)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
				return attachResult{err: ErrConnectionLost}
			}
			return attachResult{err: fmt.Errorf("attach: %w", err)}
		}
		switch f.Type {
		case FrameStdout, FrameStderr:
			w := stdout
			if f.Type == FrameStderr {
				w = stderr
			}
			if w == nil {
				continue
			}
			if _, err := w.Write(f.Data); err != nil {
				return attachResult{err: fmt.Errorf("attach: write %s: %w", f.Type, err)}
			}
		case FrameExit:
			return attachResult{code: f.Code}
		case FrameError:
			return attachResult{err: fmt.Errorf("%w: %s", ErrRemote, f.Data)}
		default:
			return attachResult{err: fmt.Errorf("attach: unexpected %s frame: %w", f.Type, ErrBadFrame)}
		}
	}
}

// wait runs the session's event loop until it ends.
func (c *attachClient) wait(ctx context.Context, signals, winch <-chan os.Signal, resize <-chan Size, con console, onSignal func(os.Signal)) attachResult {
	for {
		select {
		case r := <-c.ended:
			return r
		case <-ctx.Done():
			return attachResult{err: ctx.Err()}
		case sig := <-signals:
			if onSignal == nil {
				return attachResult{err: fmt.Errorf("attach: %w by %v", ErrInterrupted, sig)}
			}
			onSignal(sig)
		case <-winch:
			if s, ok := con.size(); ok {
				if err := c.send(Frame{Type: FrameResize, Size: s}); err != nil {
					return attachResult{err: fmt.Errorf("attach: %w", err)}
				}
			}
		case s := <-resize:
			if s != (Size{}) {
				if err := c.send(Frame{Type: FrameResize, Size: s}); err != nil {
					return attachResult{err: fmt.Errorf("attach: %w", err)}
				}
			}
		}
	}
}

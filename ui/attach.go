package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/muesli/cancelreader"

	"berth/engine"
	"berth/host"
	"berth/ptyexec"
)

// The program's attach, full screen (a) or in a pane (A), never kills by
// accident, whether the container has a terminal or not: no signal is
// proxied (ctrl-c is a key, sent to the container's stdin when it is
// open, dropped otherwise), the program reads the keys itself so the
// detach keys work even when the container's stdin is closed, and the
// output of a container without a terminal gets the carriage returns a
// terminal would add (LF → CRLF), so it does not draw as a staircase.

// attachHint is the line shown on entering a full-screen attach.
func attachHint(name string, c *engine.Container, keys detachKeys) string {
	var note string
	switch {
	case !c.Config.OpenStdin:
		note = " (its stdin is closed: what you type is not sent)"
	case !c.Config.Tty:
		note = " (no terminal: ctrl-c is sent as a key, not a signal)"
	}
	return "berth: attached to " + name + note + " · " + keys.help() + " detaches\r\n"
}

// crlfWriter turns each LF into CRLF, as a terminal's line discipline
// does (ONLCR) for a program that writes to it.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, '\n') < 0 {
		return c.w.Write(p)
	}
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// keyboard reads the user's keys for an attach: it watches for the
// detach keys and sends everything else to the container's stdin when
// that is open. A keyboard that is a terminal is read through a
// cancelreader, so no key typed after the attach is taken from the
// program.
type keyboard struct {
	stdin    io.Reader      // the container's stdin for Attach; nil when it is closed
	feed     *io.PipeWriter // writes stdin; nil when it is closed
	cancel   func() bool
	closer   io.Closer
	done     chan struct{}
	detached atomic.Bool
}

// startKeyboard starts reading in; onDetach is called (once, from the
// reading goroutine) when the detach keys are typed.
func startKeyboard(in io.Reader, open bool, keys detachKeys, onDetach func()) *keyboard {
	k := &keyboard{cancel: func() bool { return false }, done: make(chan struct{})}
	src := in
	if ptyexec.IsTerminal(in) {
		if cr, err := cancelreader.NewReader(in); err == nil {
			k.cancel, k.closer, src = cr.Cancel, cr, cr
		}
	}
	to := io.Discard
	if open {
		r, w := io.Pipe()
		k.stdin, k.feed, to = r, w, w
	}
	go func() {
		defer close(k.done)
		// Its other ends (the keyboard closed, the attach over) need no
		// telling: the attach reports its own end.
		if _, err := io.Copy(to, ptyexec.NewDetachReader(src, keys.orDefault().seq)); errors.Is(err, ptyexec.ErrDetached) {
			k.detached.Store(true)
			onDetach()
		}
	}()
	return k
}

// stop ends the reading once the attach is over.
func (k *keyboard) stop() {
	if k.feed != nil {
		_ = k.feed.Close() // an io.PipeWriter's Close never fails
	}
	if k.cancel() {
		<-k.done
	}
	if k.closer != nil {
		select {
		case <-k.done:
			_ = k.closer.Close() // the cancelreader's epoll; nothing is left to lose
		default:
		}
	}
}

// runFullScreenAttach is the full-screen attach on the user's terminal
// (stdin, stdout as tea.Exec hands them): raw mode for every container,
// the hint first, the window size followed for a terminal.
func runFullScreenAttach(ctx context.Context, e host.Host, ref string, keys detachKeys, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	c, err := e.Inspect(ctx, ref)
	if err != nil {
		return err
	}
	term, _ := stdin.(*os.File)
	if term != nil && ptyexec.IsTerminal(term) {
		restore, err := ptyexec.MakeRaw(term)
		if err != nil {
			return fmt.Errorf("attach %s: %w", c.DisplayName(), err)
		}
		defer func() {
			if rerr := restore(); rerr != nil && err == nil {
				err = fmt.Errorf("attach %s: %w", c.DisplayName(), rerr)
			}
		}()
	} else {
		term = nil
	}
	if _, err := io.WriteString(stdout, attachHint(c.DisplayName(), c, keys)); err != nil {
		return fmt.Errorf("attach %s: %w", c.DisplayName(), err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	kb := startKeyboard(stdin, c.Config.OpenStdin, keys, cancel)
	defer kb.stop()
	// The engine watches for the same keys, so it lets docker's default
	// through to the container when others are set.
	opts := engine.AttachOptions{Stdin: kb.stdin, Stdout: stdout, Stderr: stderr, NoSignalProxy: true, DetachKeys: keys.orDefault().spec}
	if !c.Config.Tty {
		opts.Stdout, opts.Stderr = crlfWriter{stdout}, crlfWriter{stderr}
	} else if term != nil {
		if sz, err := ptyexec.GetSize(term); err == nil {
			opts.Size = sz
		}
		resize, stop := windowSizes(term)
		defer stop()
		opts.Resize = resize
	}
	_, err = e.Attach(ctx, ref, opts)
	if kb.detached.Load() {
		return nil
	}
	return err
}

// windowSizes is the terminal's size at each SIGWINCH, until stop.
func windowSizes(term *os.File) (<-chan engine.TerminalSize, func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	out := make(chan engine.TerminalSize, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				sz, err := ptyexec.GetSize(term)
				if err != nil {
					continue // a size that cannot be read leaves the old one
				}
				select {
				case out <- sz:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	return out, func() {
		signal.Stop(sig)
		close(done)
	}
}

// paneAttach is the attach of a terminal pane: keys from keys (what the
// pane's emulator sends), output to out, with the same rules as the
// full screen; the detach keys end it as closing the pane does.
func paneAttach(ctx context.Context, e host.Host, ref string, detach detachKeys, keys io.Reader, out io.Writer, size engine.TerminalSize,
	resize <-chan engine.TerminalSize, cancel func(),
) (run func() error, err error) {
	c, err := e.Inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !c.Config.Tty {
		out = crlfWriter{out}
	}
	return func() error {
		kb := startKeyboard(keys, c.Config.OpenStdin, detach, cancel)
		defer kb.stop()
		_, err = e.Attach(ctx, ref, engine.AttachOptions{Stdin: kb.stdin, Stdout: out, Stderr: out,
			Size: size, Resize: resize, NoSignalProxy: true, DetachKeys: detach.orDefault().spec})
		if kb.detached.Load() {
			return nil
		}
		return err
	}, nil
}

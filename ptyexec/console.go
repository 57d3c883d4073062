package ptyexec

import (
	"errors"
	"io"

	"github.com/muesli/cancelreader"
)

// console is the user's side of a session: the streams berth was given
// and, when they are terminals, their descriptors.
type console struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	inFd           uintptr // valid when inTerm
	inTerm         bool
	sizeFd         uintptr // terminal to measure; valid when hasSize
	hasSize        bool
}

func newConsole(stdin io.Reader, stdout, stderr io.Writer) console {
	c := console{stdin: stdin, stdout: stdout, stderr: stderr}
	c.inFd, c.inTerm = terminalOf(stdin)
	if fd, ok := terminalOf(stdout); ok {
		c.sizeFd, c.hasSize = fd, true
	} else if c.inTerm {
		c.sizeFd, c.hasSize = c.inFd, true
	}
	return c
}

// size returns the user's window size, or false when there is no terminal.
func (c console) size() (Size, bool) {
	if !c.hasSize {
		return Size{}, false
	}
	s, err := getSizeFd(c.sizeFd, "terminal")
	if err != nil || s == (Size{}) {
		return Size{}, false
	}
	return s, true
}

// makeRaw puts the user's terminal in raw mode when the session is a tty
// and stdin is a terminal; the returned restore is never nil.
func (c console) makeRaw(tty bool) (restore func() error, err error) {
	if !tty || !c.inTerm {
		return func() error { return nil }, nil
	}
	return makeRawFd(c.inFd, "terminal")
}

// stdinPump copies the user's stdin until EOF, an error, or stop. When
// stdin is a terminal, stop interrupts a blocked read (epoll on the
// terminal and a cancel pipe, as Bubble Tea does), so no keystroke typed
// after the session is stolen from whoever reads the terminal next (the
// TUI). For other readers the goroutine ends with its next read.
type stdinPump struct {
	cancel func() bool
	closer io.Closer
	done   chan struct{}
}

// startStdinPump starts copying r, through wrap when it is not nil, to
// send. onEnd is called at most once, with the reason the copy ended:
// io.EOF, ErrDetached, or another error; it must not block.
func startStdinPump(r io.Reader, wrap func(io.Reader) io.Reader, send func([]byte) error, onEnd func(error)) *stdinPump {
	p := &stdinPump{cancel: func() bool { return false }, done: make(chan struct{})}
	src := r
	if IsTerminal(r) {
		if cr, err := cancelreader.NewReader(r); err == nil {
			p.cancel, p.closer, src = cr.Cancel, cr, cr
		}
	}
	if wrap != nil {
		src = wrap(src)
	}
	go func() {
		defer close(p.done)
		buf := make([]byte, 32*1024)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if serr := send(buf[:n]); serr != nil {
					onEnd(serr)
					return
				}
			}
			if err != nil {
				if !errors.Is(err, cancelreader.ErrCanceled) {
					onEnd(err)
				}
				return
			}
		}
	}()
	return p
}

// stop interrupts the copy and, when the read could be interrupted, waits
// for it to end.
func (p *stdinPump) stop() {
	if p.cancel() {
		<-p.done
	}
	if p.closer != nil {
		select {
		case <-p.done:
			_ = p.closer.Close()
		default:
		}
	}
}

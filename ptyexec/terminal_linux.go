package ptyexec

import (
	"fmt"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
)

// fileDescriptor is implemented by *os.File and by readers that wrap one.
type fileDescriptor interface {
	Fd() uintptr
}

// terminalOf returns the file descriptor behind v when v is a terminal.
func terminalOf(v any) (uintptr, bool) {
	f, ok := v.(fileDescriptor)
	if !ok {
		return 0, false
	}
	fd := f.Fd()
	return fd, term.IsTerminal(fd)
}

// IsTerminal reports whether v is an open file that is a terminal.
func IsTerminal(v any) bool {
	_, ok := terminalOf(v)
	return ok
}

// MakeRaw puts the terminal f into raw mode (no echo, no line editing, no
// signals from ctrl-c, no output processing) and returns the function that
// restores the previous mode. Call restore on every path out.
func MakeRaw(f *os.File) (restore func() error, err error) {
	return makeRawFd(f.Fd(), f.Name())
}

func makeRawFd(fd uintptr, name string) (restore func() error, err error) {
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("set raw mode on %s: %w", name, err)
	}
	return func() error {
		if err := term.Restore(fd, old); err != nil {
			return fmt.Errorf("restore terminal mode of %s: %w", name, err)
		}
		return nil
	}, nil
}

// GetSize returns the window size of terminal f.
func GetSize(f *os.File) (Size, error) {
	return getSizeFd(f.Fd(), f.Name())
}

func getSizeFd(fd uintptr, name string) (Size, error) {
	w, h, err := term.GetSize(fd)
	if err != nil {
		return Size{}, fmt.Errorf("get window size of %s: %w", name, err)
	}
	return Size{Width: uint16(w), Height: uint16(h)}, nil
}

// SetSize sets the window size of terminal f (TIOCSWINSZ). On a PTY master
// the kernel then sends SIGWINCH to the foreground process group of the
// slave, which is how a container learns its new size.
func SetSize(f *os.File, s Size) error {
	if err := pty.Setsize(f, &pty.Winsize{Cols: s.Width, Rows: s.Height}); err != nil {
		return fmt.Errorf("set window size of %s to %dx%d: %w", f.Name(), s.Width, s.Height, err)
	}
	return nil
}

// OpenPTY opens a new PTY pair. The slave is opened without becoming
// anyone's controlling terminal; give it to the child as stdio and set
// SysProcAttr Setsid and Setctty to make it the child's terminal.
func OpenPTY() (master, slave *os.File, err error) {
	master, slave, err = pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return master, slave, nil
}

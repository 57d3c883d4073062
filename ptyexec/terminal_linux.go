package ptyexec

import (
	"fmt"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"
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
// slave, which is how a container learns its new size. It goes through
// SyscallConn, not Fd, so f stays non-blocking.
func SetSize(f *os.File, s Size) error {
	ws := &unix.Winsize{Col: s.Width, Row: s.Height}
	if err := control(f, func(fd int) error { return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, ws) }); err != nil {
		return fmt.Errorf("set window size of %s to %dx%d: %w", f.Name(), s.Width, s.Height, err)
	}
	return nil
}

// control runs op on f's descriptor without switching f to blocking mode,
// as f.Fd() would.
func control(f *os.File, op func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = op(int(fd)) }); err != nil {
		return err
	}
	return opErr
}

// OpenPTY opens a new PTY pair. The slave is opened without becoming
// anyone's controlling terminal; give it to the child as stdio and set
// SysProcAttr Setsid and Setctty to make it the child's terminal. The
// master is non-blocking and registered with Go's poller, so Close and
// read deadlines interrupt a pending Read.
func OpenPTY() (master, slave *os.File, err error) {
	ptmx, slave, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	defer ptmx.Close()
	// pty.Open's ioctls went through Fd, which left the master blocking:
	// a blocking file's Read can be neither interrupted nor timed out.
	fd, err := unix.FcntlInt(ptmx.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = unix.SetNonblock(fd, true)
		if err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		slave.Close()
		return nil, nil, fmt.Errorf("open pty: make master non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fd), ptmx.Name()), slave, nil
}

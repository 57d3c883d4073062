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

// GetSize returns the window size of terminal f. Like SetSize it leaves f
// non-blocking.
func GetSize(f *os.File) (Size, error) {
	var ws *unix.Winsize
	err := control(f, func(fd int) (err error) {
		ws, err = unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		return err
	})
	if err != nil {
		return Size{}, fmt.Errorf("get window size of %s: %w", f.Name(), err)
	}
	return Size{Width: ws.Col, Height: ws.Row}, nil
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
	defer func() { _ = ptmx.Close() }()
	// pty.Open's ioctls went through Fd, which left the master blocking:
	// a blocking file's Read can be neither interrupted nor timed out.
	fd, err := unix.FcntlInt(ptmx.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = unix.SetNonblock(fd, true)
		if err != nil {
			_ = unix.Close(fd)
		}
	}
	if err != nil {
		_ = slave.Close()
		return nil, nil, fmt.Errorf("open pty: make master non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fd), ptmx.Name()), slave, nil
}

// OpenPTYIn opens a new PTY pair from the ptmx of the root filesystem at
// root (for a container, /proc/<pid>/root), so the pair belongs to that
// devpts instance: inside the container the slave is /dev/pts/N and tty(1)
// names it. dev/ptmx is resolved inside root (a container cannot point it
// elsewhere) and must be the ptmx device (5:2). The slave comes from the
// master itself (TIOCGPTPEER), never from a path. The master is
// non-blocking, as OpenPTY's.
func OpenPTYIn(root string) (master, slave *os.File, err error) {
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pty in %s: %w", root, err)
	}
	defer func() { _ = unix.Close(rootFd) }()
	pathFd, err := unix.Openat2(rootFd, "dev/ptmx", &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open pty in %s: dev/ptmx: %w", root, err)
	}
	defer func() { _ = unix.Close(pathFd) }()
	var st unix.Stat_t
	if err := unix.Fstat(pathFd, &st); err != nil {
		return nil, nil, fmt.Errorf("open pty in %s: stat dev/ptmx: %w", root, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 5 || unix.Minor(st.Rdev) != 2 {
		return nil, nil, fmt.Errorf("open pty in %s: %w", root, ErrNotPTMX)
	}
	masterFd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", pathFd), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open pty in %s: open dev/ptmx: %w", root, err)
	}
	n, slaveFd, err := ptyPeer(masterFd)
	if err != nil {
		_ = unix.Close(masterFd)
		return nil, nil, fmt.Errorf("open pty in %s: %w", root, err)
	}
	return os.NewFile(uintptr(masterFd), "/dev/ptmx"), os.NewFile(uintptr(slaveFd), fmt.Sprintf("/dev/pts/%d", n)), nil
}

// ptyPeer unlocks the master and opens its slave.
func ptyPeer(masterFd int) (n, slaveFd int, err error) {
	if err := unix.IoctlSetPointerInt(masterFd, unix.TIOCSPTLCK, 0); err != nil {
		return 0, 0, fmt.Errorf("unlock pty: %w", err)
	}
	if n, err = unix.IoctlGetInt(masterFd, unix.TIOCGPTN); err != nil {
		return 0, 0, fmt.Errorf("get pty number: %w", err)
	}
	fd, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(masterFd), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		return 0, 0, fmt.Errorf("open pty slave: %w", errno)
	}
	return n, int(fd), nil
}

// OpenPTYInstance makes a new devpts instance with docker's options for a
// container's /dev/pts (a ptmx anyone may open; each PTY readable and
// writable by its owner, writable by the tty group, gid 5, as mesg(1) and
// write(1) expect), as a
// mount that is in no mount table yet, and opens a PTY pair in it.
// devpts is that mount: moved (move_mount(2)) onto a container's
// /dev/pts, it makes the slave /dev/pts/0 there, group tty, mode 620, as
// docker's `run -t` shows it, while the caller holds the master from the
// start. Closing devpts before it was moved anywhere leaves nothing.
func OpenPTYInstance() (devpts, master, slave *os.File, err error) {
	fsfd, err := unix.Fsopen("devpts", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("new devpts: %w", err)
	}
	defer func() { _ = unix.Close(fsfd) }()
	for _, o := range [][2]string{{"ptmxmode", "0666"}, {"mode", "0620"}, {"gid", "5"}} {
		if err := unix.FsconfigSetString(fsfd, o[0], o[1]); err != nil {
			return nil, nil, nil, fmt.Errorf("new devpts: %s=%s: %w", o[0], o[1], err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, nil, nil, fmt.Errorf("new devpts: %w", err)
	}
	mnt, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("new devpts: mount: %w", err)
	}
	masterFd, err := unix.Openat(mnt, "ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		_ = unix.Close(mnt)
		return nil, nil, nil, fmt.Errorf("new devpts: open ptmx: %w", err)
	}
	n, slaveFd, err := ptyPeer(masterFd)
	if err != nil {
		_ = unix.Close(masterFd)
		_ = unix.Close(mnt)
		return nil, nil, nil, fmt.Errorf("new devpts: %w", err)
	}
	return os.NewFile(uintptr(mnt), "devpts"), os.NewFile(uintptr(masterFd), "/dev/ptmx"),
		os.NewFile(uintptr(slaveFd), fmt.Sprintf("/dev/pts/%d", n)), nil
}

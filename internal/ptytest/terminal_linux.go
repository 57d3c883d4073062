package ptytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Patience is how long a Terminal waits for output it expects and for its
// program to exit before it fails the test.
const Patience = 30 * time.Second

// Terminal is a program running with a PTY's slave as its controlling
// terminal and stdio; the test holds the master (the keyboard and screen)
// and keeps the slave open, so the slave's settings can be read after the
// program exits.
type Terminal struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	master *os.File
	slave  *os.File
	before *unix.Termios // the slave's settings before the program started

	mu     sync.Mutex
	out    []byte        // everything read from the master
	seen   int           // out[:seen] has been consumed by Expect
	grew   chan struct{} // poked whenever out grows
	exited chan struct{} // closed when the program has exited
}

// Start starts cmd in a new session on a new PTY of rows×cols: the slave is
// its stdin, stdout, stderr and controlling terminal. Cleanup, registered
// on t, kills the program if it is still running and closes the PTY.
func Start(t testing.TB, cmd *exec.Cmd, rows, cols uint16) *Terminal {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = master.Close() // the test is over; nothing reads the PTY any more
		_ = slave.Close()
	})
	if err := pty.Setsize(master, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term := &Terminal{t: t, name: commandLine(cmd), cmd: cmd, master: master, slave: slave,
		before: before, grew: make(chan struct{}, 1), exited: make(chan struct{})}
	go term.read()
	go func() {
		_ = cmd.Wait() // the exit status is read from cmd.ProcessState
		close(term.exited)
	}()
	t.Cleanup(func() {
		if term.Running() {
			_ = cmd.Process.Kill() // it may have exited meanwhile; exited tells
			<-term.exited
		}
	})
	return term
}

// commandLine names cmd in failure messages: its program's base name and
// its arguments.
func commandLine(cmd *exec.Cmd) string {
	return strings.Join(append([]string{filepath.Base(cmd.Path)}, cmd.Args[1:]...), " ")
}

// read copies the master into out until the master is closed.
func (term *Terminal) read() {
	buf := make([]byte, 4096)
	for {
		n, err := term.master.Read(buf)
		if n > 0 {
			term.mu.Lock()
			term.out = append(term.out, buf[:n]...)
			term.mu.Unlock()
			select {
			case term.grew <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// Send types keys, as at a keyboard: Enter is "\r", ctrl-c "\x03".
func (term *Terminal) Send(keys string) {
	term.t.Helper()
	if _, err := term.master.Write([]byte(keys)); err != nil {
		term.t.Fatalf("%s: type %q: %v", term.name, keys, err)
	}
}

// Expect waits until the output not consumed yet matches the regular
// expression pattern and returns the match; the output up to the end of
// the match is consumed. After Patience it fails the test with the end of
// what the terminal showed.
func (term *Terminal) Expect(pattern string) string {
	term.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(Patience)
	for {
		term.mu.Lock()
		unseen := term.out[term.seen:]
		if loc := re.FindIndex(unseen); loc != nil {
			match := string(unseen[loc[0]:loc[1]])
			term.seen += loc[1]
			term.mu.Unlock()
			return match
		}
		term.mu.Unlock()
		select {
		case <-term.grew:
		case <-deadline:
			term.t.Fatalf("%s: no %q after %v; the terminal showed:\n%q", term.name, pattern, Patience, tail(unseen))
		}
	}
}

// tail is the end of a terminal's output, short enough for a failure
// message.
func tail(out []byte) []byte {
	const most = 2000
	if len(out) > most {
		return append([]byte("…"), out[len(out)-most:]...)
	}
	return out
}

// Resize changes the window's size, as a person dragging its corner: the
// kernel sends SIGWINCH to the terminal's foreground process group.
func (term *Terminal) Resize(rows, cols uint16) {
	term.t.Helper()
	if err := pty.Setsize(term.master, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		term.t.Fatalf("%s: resize to %d×%d: %v", term.name, rows, cols, err)
	}
}

// Signal sends sig to the program, by its PID.
func (term *Terminal) Signal(sig syscall.Signal) {
	term.t.Helper()
	if err := term.cmd.Process.Signal(sig); err != nil {
		term.t.Fatalf("%s: send %v: %v", term.name, sig, err)
	}
}

// Wait waits up to Patience for the program to exit and returns its exit
// code (-1 when a signal ended it).
func (term *Terminal) Wait() int {
	term.t.Helper()
	select {
	case <-term.exited:
		return term.cmd.ProcessState.ExitCode()
	case <-time.After(Patience):
		term.mu.Lock()
		defer term.mu.Unlock()
		term.t.Fatalf("%s: still running after %v; the terminal showed:\n%q", term.name, Patience, tail(term.out[term.seen:]))
		return 0
	}
}

// Running reports whether the program has not exited yet.
func (term *Terminal) Running() bool {
	select {
	case <-term.exited:
		return false
	default:
		return true
	}
}

// RequireRestored fails the test unless the terminal's settings are now
// as they were before the program started; after names the event the
// program should have restored them on, for the failure message.
func (term *Terminal) RequireRestored(after string) {
	term.t.Helper()
	now, err := unix.IoctlGetTermios(int(term.slave.Fd()), unix.TCGETS)
	if err != nil {
		term.t.Fatal(err)
	}
	if *now != *term.before {
		term.t.Errorf("%s: terminal settings after %s:\n%+v\nwant them as before it ran:\n%+v", term.name, after, *now, *term.before)
	}
}

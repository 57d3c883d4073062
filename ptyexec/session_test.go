package ptyexec

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// execCommand is the interface Bubble Tea v2's tea.Exec takes
// (charm.land/bubbletea/v2, exec.go); ptyexec does not import Bubble Tea.
type execCommand interface {
	Run() error
	SetStdin(io.Reader)
	SetStdout(io.Writer)
	SetStderr(io.Writer)
}

var (
	_ execCommand = (*AttachSession)(nil)
	_ execCommand = (*ExecSession)(nil)
)

const busybox = "/bin/busybox"

func needBusybox(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(busybox); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("busybox: %v", err)
		}
		t.Skipf("busybox: %v", err)
	}
}

// sessionHelper runs an ExecSession of the script in SESSION_SCRIPT on this
// process's terminal, as tea.Exec would, and reports on fd 3.
func sessionHelper() int {
	result := os.NewFile(3, "result")
	s := NewExecSession(exec.Command(busybox, "sh", "-c", os.Getenv("SESSION_SCRIPT")), ExecOptions{Tty: true})
	s.SetStdin(os.Stdin)
	s.SetStdout(os.Stdout)
	s.SetStderr(os.Stderr)
	err := s.Run()
	fmt.Fprintf(result, "code=%d err=%v", s.ExitCode(), err)
	return 0
}

func TestExecSessionTty(t *testing.T) {
	t.Parallel()
	needBusybox(t)
	rig := newTerminalRig(t, Size{100, 30})
	before := rig.termios(t)
	resultR, resultW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer resultR.Close()
	script := `tty; stty size; while read line; do echo "got:$line"; stty size; [ "$line" = quit ] && exit 5; done`
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=session", "SESSION_SCRIPT="+script)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = rig.slave, rig.slave, rig.slave
	cmd.ExtraFiles = []*os.File{resultW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	resultW.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	rig.waitScreen(t, "30 100")
	if err := SetSize(rig.master, Size{120, 40}); err != nil {
		t.Fatal(err)
	}
	rig.typeKeys(t, "hello\r")
	rig.waitScreen(t, "got:hello")
	rig.waitScreen(t, "/dev/pts/")
	// The resize reaches the session as SIGWINCH, asynchronously: ask for
	// the size until the new one shows.
	waitFor(t, "new size inside", func() bool {
		rig.typeKeys(t, "size\r")
		rig.mu.Lock()
		defer rig.mu.Unlock()
		return strings.Contains(rig.screen.String(), "40 120")
	})
	rig.typeKeys(t, "quit\r")

	var res bytes.Buffer
	res.ReadFrom(resultR)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := res.String(), "code=5 err=<nil>"; got != want {
		t.Fatalf("session: %s, want %s", got, want)
	}
	if after := rig.termios(t); after != before {
		t.Fatalf("terminal mode not restored:\nbefore %+v\nafter  %+v", before, after)
	}
}

// A background child that keeps the terminal open must not keep the
// session open once the command exited.
func TestExecSessionEndsDespiteBackgroundChild(t *testing.T) {
	t.Parallel()
	needBusybox(t)
	pidFile := filepath.Join(t.TempDir(), "bg.pid")
	s := NewExecSession(exec.Command(busybox, "sh", "-c", "(trap '' HUP; exec sleep 1000) & echo $! > "+pidFile+"; echo started"), ExecOptions{Tty: true})
	t.Cleanup(func() {
		var pid int
		if b, err := os.ReadFile(pidFile); err == nil {
			fmt.Sscan(string(b), &pid)
		}
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	var out syncBuffer
	s.SetStdout(&out)
	err := s.Run()
	if err != nil || s.ExitCode() != 0 || !strings.Contains(out.String(), "started") {
		t.Fatalf("err %v, code %d, output %q", err, s.ExitCode(), out.String())
	}
}

func TestExecSessionPipes(t *testing.T) {
	t.Parallel()
	needBusybox(t)
	s := NewExecSession(exec.Command(busybox, "sh", "-c", "cat; echo oops >&2; exit 3"), ExecOptions{})
	var stdout, stderr bytes.Buffer
	s.SetStdin(strings.NewReader("piped input\n"))
	s.SetStdout(&stdout)
	s.SetStderr(&stderr)
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if s.ExitCode() != 3 || stdout.String() != "piped input\n" || stderr.String() != "oops\n" {
		t.Fatalf("code %d, stdout %q, stderr %q", s.ExitCode(), stdout.String(), stderr.String())
	}
}

func TestExecSessionStartError(t *testing.T) {
	t.Parallel()
	s := NewExecSession(exec.Command(filepath.Join(t.TempDir(), "missing")), ExecOptions{Tty: true})
	s.SetStdout(io.Discard)
	if err := s.Run(); err == nil {
		t.Fatal("Run of a missing command succeeded")
	}
}

func TestAttachSession(t *testing.T) {
	t.Parallel()
	stdin := &stdinRecorder{}
	h := NewHub(HubConfig{Stdin: stdin})
	sock := filepath.Join(t.TempDir(), "attach.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go h.Serve(l)
	t.Cleanup(func() { l.Close(); h.Close() })

	s := NewAttachSession(func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}, AttachOptions{})
	var out syncBuffer
	s.SetStdin(strings.NewReader("input"))
	s.SetStdout(&out)
	s.SetStderr(&out)
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	waitFor(t, "input", func() bool { got, closed := stdin.state(); return got == "input" && closed })
	h.Stdout().Write([]byte("output"))
	h.Exit(9)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.ExitCode() != 9 || s.Detached() || out.String() != "output" {
		t.Fatalf("code %d detached %v output %q", s.ExitCode(), s.Detached(), out.String())
	}
}

// The TUI's embedded terminal pane has no terminal to measure: it gives
// the size and each resize itself.
func TestExecSessionGivenSizes(t *testing.T) {
	t.Parallel()
	needBusybox(t)
	resize := make(chan Size)
	s := NewExecSession(exec.Command(busybox, "sh", "-c", "stty size; while read x; do stty size; done"),
		ExecOptions{Tty: true, Size: Size{50, 10}, Resize: resize})
	inR, inW := io.Pipe()
	var out syncBuffer
	s.SetStdin(inR)
	s.SetStdout(&out)
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	waitFor(t, "initial size", func() bool { return strings.Contains(out.String(), "10 50") })
	resize <- Size{60, 20}
	waitFor(t, "new size", func() bool {
		inW.Write([]byte("\n"))
		return strings.Contains(out.String(), "20 60")
	})
	inW.Write([]byte{4}) // ctrl-d: EOF for the shell's read on a terminal
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAttachGivenSizes(t *testing.T) {
	t.Parallel()
	sizes := make(chan Size, 8)
	h := NewHub(HubConfig{Tty: true, Resize: func(s Size) error { sizes <- s; return nil }})
	sock := filepath.Join(t.TempDir(), "attach.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go h.Serve(l)
	t.Cleanup(func() { l.Close(); h.Close() })
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	resize := make(chan Size)
	done := make(chan error, 1)
	go func() {
		_, _, err := Attach(context.Background(), conn, AttachOptions{
			Stdout: io.Discard, Tty: true, Size: Size{50, 10}, Resize: resize})
		done <- err
	}()
	for _, want := range []Size{{50, 11}, {50, 10}} {
		if got := <-sizes; got != want {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	resize <- Size{60, 20}
	if got := <-sizes; got != (Size{60, 20}) {
		t.Fatalf("got %v, want 60x20", got)
	}
	h.Exit(0)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

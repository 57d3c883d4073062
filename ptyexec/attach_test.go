package ptyexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// attachHelper runs Attach on this process's stdio, which the test made a
// PTY slave and controlling terminal, and reports the result on fd 3.
func attachHelper() int {
	result := os.NewFile(3, "result")
	conn, err := net.Dial("unix", os.Getenv("ATTACH_SOCKET"))
	if err != nil {
		fmt.Fprintf(result, "dial: %v", err)
		return 1
	}
	code, detached, err := Attach(context.Background(), conn, AttachOptions{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Tty:        true,
		DetachKeys: os.Getenv("ATTACH_DETACH_KEYS"),
	})
	fmt.Fprintf(result, "code=%d detached=%v err=%v", code, detached, err)
	return 0
}

// terminalRig is a PTY pair whose slave is the terminal of a client
// process, and whose master the test types into and reads from.
type terminalRig struct {
	master, slave *os.File
	mu            sync.Mutex
	screen        bytes.Buffer // everything read from master
}

func newTerminalRig(t *testing.T, size Size) *terminalRig {
	t.Helper()
	master, slave, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	if err := SetSize(master, size); err != nil {
		t.Fatal(err)
	}
	r := &terminalRig{master: master, slave: slave}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			r.mu.Lock()
			r.screen.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return r
}

func (r *terminalRig) termios(t *testing.T) unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(r.slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return *tio
}

func (r *terminalRig) waitScreen(t *testing.T, want string) {
	t.Helper()
	defer func() {
		if t.Failed() {
			r.mu.Lock()
			t.Logf("screen: %q", r.screen.String())
			r.mu.Unlock()
		}
	}()
	waitFor(t, fmt.Sprintf("%q on screen", want), func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return strings.Contains(r.screen.String(), want)
	})
}

func (r *terminalRig) typeKeys(t *testing.T, s string) {
	t.Helper()
	if _, err := r.master.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// attachRig is a hub on a socket plus a client process attached to it
// through a terminal rig.
type attachRig struct {
	*terminalRig
	hub    *Hub
	socket string
	stdin  *stdinRecorder
	sizes  chan Size
	client *exec.Cmd
	result *os.File
	before unix.Termios
}

func newAttachRig(t *testing.T, detachKeys string) *attachRig {
	t.Helper()
	a := &attachRig{terminalRig: newTerminalRig(t, Size{100, 30}), stdin: &stdinRecorder{}, sizes: make(chan Size, 16)}
	a.before = a.termios(t)
	a.hub = NewHub(HubConfig{Tty: true, Stdin: a.stdin, Resize: func(s Size) error { a.sizes <- s; return nil }})
	sock := filepath.Join(t.TempDir(), "attach.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	a.socket = sock
	go a.hub.Serve(l)
	t.Cleanup(func() { l.Close(); a.hub.Close() })

	resultR, resultW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resultR.Close() })
	a.result = resultR
	a.client = exec.Command(os.Args[0])
	a.client.Env = append(os.Environ(), helperEnv+"=attach", "ATTACH_SOCKET="+sock, "ATTACH_DETACH_KEYS="+detachKeys)
	a.client.Stdin, a.client.Stdout, a.client.Stderr = a.slave, a.slave, a.slave
	a.client.ExtraFiles = []*os.File{resultW}
	a.client.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := a.client.Start(); err != nil {
		t.Fatal(err)
	}
	resultW.Close()
	t.Cleanup(func() {
		a.client.Process.Kill()
		a.client.Wait()
	})
	// The client's initial size, then the redraw.
	a.expectSize(t, Size{100, 31})
	a.expectSize(t, Size{100, 30})
	return a
}

func (a *attachRig) expectSize(t *testing.T, want Size) {
	t.Helper()
	if got := <-a.sizes; got != want {
		t.Fatalf("resize: got %v, want %v", got, want)
	}
}

// finish waits for the client to end and returns its report.
func (a *attachRig) finish(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(a.result); err != nil {
		t.Fatal(err)
	}
	if err := a.client.Wait(); err != nil {
		t.Fatalf("client: %v", err)
	}
	if after := a.termios(t); after != a.before {
		t.Fatalf("terminal mode not restored:\nbefore %+v\nafter  %+v", a.before, after)
	}
	return buf.String()
}

func TestAttachTtyOutputInputResizeDetach(t *testing.T) {
	t.Parallel()
	a := newAttachRig(t, "")
	if tio := a.termios(t); tio.Lflag&unix.ICANON != 0 || tio.Lflag&unix.ECHO != 0 {
		t.Fatalf("terminal not raw during the session: lflag %#x", tio.Lflag)
	}

	a.hub.Stdout().Write([]byte("hello from the container\r\n"))
	a.waitScreen(t, "hello from the container")

	a.typeKeys(t, "ls\r")
	waitFor(t, "typed input", func() bool { s, _ := a.stdin.state(); return s == "ls\r" })

	// The kernel sends SIGWINCH to the client when its terminal is resized.
	if err := SetSize(a.master, Size{120, 40}); err != nil {
		t.Fatal(err)
	}
	a.expectSize(t, Size{120, 40})

	// Detach keys typed one at a time, across reads.
	a.typeKeys(t, "\x10")
	a.typeKeys(t, "\x11")
	if got, want := a.finish(t), "code=0 detached=true err=<nil>"; got != want {
		t.Fatalf("client: %s, want %s", got, want)
	}
	if s, closed := a.stdin.state(); s != "ls\r" || closed {
		t.Fatalf("container stdin %q closed=%v after detach", s, closed)
	}
	waitFor(t, "client gone", func() bool { return a.hub.Clients() == 0 })
}

func TestAttachTtyExitAndPartialDetachKeys(t *testing.T) {
	t.Parallel()
	a := newAttachRig(t, "ctrl-x,x")
	// ctrl-x then y: not the detach sequence, so both reach the container.
	a.typeKeys(t, "\x18y")
	waitFor(t, "partial detach keys delivered", func() bool { s, _ := a.stdin.state(); return s == "\x18y" })
	a.hub.Stdout().Write([]byte("bye\r\n"))
	a.hub.Exit(7)
	if got, want := a.finish(t), "code=7 detached=false err=<nil>"; got != want {
		t.Fatalf("client: %s, want %s", got, want)
	}
	a.waitScreen(t, "bye")
}

func TestAttachTtyRestoresTerminalOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			a := newAttachRig(t, "")
			if err := a.client.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if got, want := a.finish(t), "err=attach: interrupted by "+sig.String(); !strings.HasSuffix(got, want) {
				t.Fatalf("client: %s, want suffix %s", got, want)
			}
		})
	}
}

func TestAttachTtyRestoresTerminalWhenServerDies(t *testing.T) {
	t.Parallel()
	a := newAttachRig(t, "")
	a.hub.Close()
	if got, want := a.finish(t), "err="+ErrConnectionLost.Error(); !strings.HasSuffix(got, want) {
		t.Fatalf("client: %s, want suffix %s", got, want)
	}
}

func TestAttachPipes(t *testing.T) {
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
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr syncBuffer
	type result struct {
		code     int
		detached bool
		err      error
	}
	done := make(chan result, 1)
	go func() {
		code, detached, err := Attach(context.Background(), conn, AttachOptions{
			Stdin:  strings.NewReader("line one\nline two\n"),
			Stdout: &stdout,
			Stderr: &stderr,
		})
		done <- result{code, detached, err}
	}()
	// EOF on the user's stdin closes the container's.
	waitFor(t, "stdin closed", func() bool { s, closed := stdin.state(); return s == "line one\nline two\n" && closed })
	h.Stdout().Write([]byte("to stdout"))
	h.Stderr().Write([]byte("to stderr"))
	h.Exit(42)
	r := <-done
	if r.err != nil || r.detached || r.code != 42 {
		t.Fatalf("got %+v, want exit 42", r)
	}
	if stdout.String() != "to stdout" || stderr.String() != "to stderr" {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

func TestAttachErrorFrame(t *testing.T) {
	t.Parallel()
	h := NewHub(HubConfig{}) // no tty
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
	_, _, err = Attach(context.Background(), conn, AttachOptions{Stdout: &syncBuffer{}, Tty: true})
	if !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), "no terminal") {
		t.Fatalf("got %v, want remote error about the terminal", err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A client killed with SIGKILL leaves the container running and the hub
// serving: its output never blocks and a new client attaches.
func TestAttachClientKilled(t *testing.T) {
	t.Parallel()
	a := newAttachRig(t, "")
	if err := a.client.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	a.client.Wait()
	waitFor(t, "killed client dropped", func() bool { return a.hub.Clients() == 0 })
	for range 100 {
		a.hub.Stdout().Write(bytes.Repeat([]byte("x"), 64<<10))
	}

	conn, err := net.Dial("unix", a.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := RequestFrame(Request{Stdout: true, Tty: true})
	if err := WriteFrame(conn, req); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "new client", func() bool { return a.hub.Clients() == 1 })
	a.hub.Stdout().Write([]byte("after"))
	if f := mustRead(t, conn); f.Type != FrameStdout || string(f.Data) != "after" {
		t.Fatalf("new client got %s %q", f.Type, f.Data)
	}
}

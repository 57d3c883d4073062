package ptyexec

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// startHub serves h on a unix socket in a temporary directory and returns
// a dial function that opens a client with req.
func startHub(t testing.TB, h *Hub) func(req Request) (net.Conn, *bufio.Reader) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "attach.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Serve(l) }()
	t.Cleanup(func() {
		l.Close()
		h.Close()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return func(req Request) (net.Conn, *bufio.Reader) {
		t.Helper()
		conn, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		f, err := RequestFrame(req)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteFrame(conn, f); err != nil {
			t.Fatal(err)
		}
		return conn, bufio.NewReader(conn)
	}
}

// waitFor polls cond; tests use it for state that changes asynchronously.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func mustRead(t testing.TB, r io.Reader) Frame {
	t.Helper()
	f, err := ReadFrame(r)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

func TestHubFanOutDropsStalledClient(t *testing.T) {
	t.Parallel()
	h := NewHub(HubConfig{ClientBuffer: 64 << 10})
	dial := startHub(t, h)
	_, good := dial(Request{Stdout: true})
	stalledConn, _ := dial(Request{Stdout: true})
	waitFor(t, "two clients", func() bool { return h.Clients() == 2 })

	// Lock-step: each chunk is written once the good client has read the
	// previous one, so only the stalled client can fall behind.
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	const chunks = 200 // 3.2 MiB: more than the socket buffer plus ClientBuffer
	for i := 0; i < chunks; i++ {
		if _, err := h.Stdout().Write(chunk); err != nil {
			t.Fatal(err)
		}
		f := mustRead(t, good)
		if f.Type != FrameStdout || !bytes.Equal(f.Data, chunk) {
			t.Fatalf("chunk %d: got %s of %d bytes", i, f.Type, len(f.Data))
		}
	}
	waitFor(t, "stalled client dropped", func() bool { return h.Clients() == 1 })

	// The stalled client finds its connection closed after what was buffered.
	stalledConn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, stalledConn); err != nil {
		t.Fatalf("stalled client: %v", err)
	}

	// The good client keeps receiving and gets the exit code.
	h.Stdout().Write([]byte("still here"))
	if f := mustRead(t, good); string(f.Data) != "still here" {
		t.Fatalf("got %q", f.Data)
	}
	h.Exit(3)
	if f := mustRead(t, good); f.Type != FrameExit || f.Code != 3 {
		t.Fatalf("got %+v, want exit 3", f)
	}
	if _, err := ReadFrame(good); err != io.EOF {
		t.Fatalf("after exit: got %v, want EOF", err)
	}
}

// stdinRecorder is a container stdin that records what it was sent.
type stdinRecorder struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	closed bool
}

func (s *stdinRecorder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *stdinRecorder) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *stdinRecorder) state() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String(), s.closed
}

func TestHubInputResizeAndStreams(t *testing.T) {
	t.Parallel()
	stdin := &stdinRecorder{}
	var mu sync.Mutex
	var sizes []Size
	h := NewHub(HubConfig{Stdin: stdin, Resize: func(s Size) error {
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, s)
		return nil
	}})
	dial := startHub(t, h)
	c1, r1 := dial(Request{Stdin: true, Stdout: true, Stderr: true})
	c2, r2 := dial(Request{Stdin: true, Stdout: true})
	waitFor(t, "two clients", func() bool { return h.Clients() == 2 })

	WriteFrame(c1, Frame{Type: FrameStdin, Data: []byte("one ")})
	waitFor(t, "first input", func() bool { s, _ := stdin.state(); return s == "one " })
	WriteFrame(c2, Frame{Type: FrameStdin, Data: []byte("two")})
	WriteFrame(c2, Frame{Type: FrameResize, Size: Size{120, 40}})
	WriteFrame(c2, Frame{Type: FrameStdinClose})
	waitFor(t, "stdin closed", func() bool { s, closed := stdin.state(); return s == "one two" && closed })
	waitFor(t, "resize", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(sizes) == 1 && sizes[0] == Size{120, 40}
	})

	h.Stdout().Write([]byte("out"))
	h.Stderr().Write([]byte("err"))
	h.Exit(0)
	for _, f := range []Frame{mustRead(t, r1), mustRead(t, r1), mustRead(t, r1)} {
		want := map[FrameType]string{FrameStdout: "out", FrameStderr: "err", FrameExit: ""}
		if w, ok := want[f.Type]; !ok || string(f.Data) != w {
			t.Fatalf("client 1: unexpected %s %q", f.Type, f.Data)
		}
	}
	// Client 2 did not ask for stderr.
	if f := mustRead(t, r2); f.Type != FrameStdout || string(f.Data) != "out" {
		t.Fatalf("client 2: got %s %q", f.Type, f.Data)
	}
	if f := mustRead(t, r2); f.Type != FrameExit {
		t.Fatalf("client 2: got %s, want exit", f.Type)
	}

	// A client that comes after the exit learns the code at once.
	_, late := dial(Request{Stdout: true})
	if f := mustRead(t, late); f.Type != FrameExit || f.Code != 0 {
		t.Fatalf("late client: got %+v", f)
	}
}

func TestHubTtyRedrawOnAttach(t *testing.T) {
	t.Parallel()
	sizes := make(chan Size, 4)
	stdin := &stdinRecorder{}
	h := NewHub(HubConfig{Tty: true, Stdin: stdin, Resize: func(s Size) error { sizes <- s; return nil }})
	dial := startHub(t, h)
	select {
	case <-h.FirstClient():
		t.Fatal("FirstClient closed before any client")
	default:
	}
	conn, _ := dial(Request{Stdin: true, Stdout: true, Tty: true, Size: Size{80, 24}})
	<-h.FirstClient()
	// A size change and back, so a full-screen program repaints.
	if got := <-sizes; got != (Size{80, 25}) {
		t.Fatalf("first resize %v", got)
	}
	if got := <-sizes; got != (Size{80, 24}) {
		t.Fatalf("second resize %v", got)
	}
	// stdin-close never closes a terminal's master.
	WriteFrame(conn, Frame{Type: FrameStdinClose})
	WriteFrame(conn, Frame{Type: FrameStdin, Data: []byte("after")})
	waitFor(t, "input after stdin-close", func() bool { s, _ := stdin.state(); return s == "after" })
	if _, closed := stdin.state(); closed {
		t.Fatal("stdin-close closed the terminal")
	}
}

func TestHubRejectsBadRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tty  bool
		req  Request
	}{
		{"tty client on pipes", false, Request{Stdout: true, Tty: true}},
		{"pipe client on tty", true, Request{Stdout: true}},
		{"bad detach keys", false, Request{Stdout: true, DetachKeys: "alt-x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := NewHub(HubConfig{Tty: tt.tty})
			dial := startHub(t, h)
			_, r := dial(tt.req)
			if f := mustRead(t, r); f.Type != FrameError {
				t.Fatalf("got %s, want error", f.Type)
			}
			if _, err := ReadFrame(r); !errors.Is(err, io.EOF) {
				t.Fatalf("after error: %v", err)
			}
		})
	}
}

func TestHubClosedRefusesClients(t *testing.T) {
	t.Parallel()
	h := NewHub(HubConfig{})
	dial := startHub(t, h)
	_, r := dial(Request{Stdout: true})
	waitFor(t, "client", func() bool { return h.Clients() == 1 })
	h.Close()
	if _, err := ReadFrame(r); !errors.Is(err, io.EOF) {
		t.Fatalf("after close: %v", err)
	}
	_, r = dial(Request{Stdout: true})
	if f := mustRead(t, r); f.Type != FrameError || string(f.Data) != ErrHubClosed.Error() {
		t.Fatalf("got %s %q", f.Type, f.Data)
	}
}

// BenchmarkHubWrite is the shim's cost per 32 KiB output write while
// nobody is attached, its usual state.
func BenchmarkHubWrite(b *testing.B) {
	chunk := make([]byte, 32<<10)
	h := NewHub(HubConfig{})
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		h.Stdout().Write(chunk)
	}
}

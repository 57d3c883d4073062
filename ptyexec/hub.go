package ptyexec

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// DefaultClientBuffer is how many bytes of output a Hub queues for one
// client before it drops that client. It is sized for bursts: a shell's
// `cat` of a few megabytes outruns any terminal for a moment, and a client
// that keeps reading must not be cut off for that; only one that falls
// this far behind is.
const DefaultClientBuffer = 16 << 20

// clientQueueFrames bounds the number of queued frames per client: a PTY
// read is at most 4 KiB, so this many of them fill DefaultClientBuffer.
const clientQueueFrames = 4096

// HubConfig says how a Hub reaches the container. The zero value is a hub
// for a container without a terminal and without stdin.
type HubConfig struct {
	// Tty says the container runs on a terminal: output is one stream,
	// sent as FrameStdout, and clients must request a tty.
	Tty bool
	// Stdin receives input from every client, in arrival order; with a
	// tty it is the PTY master. Without a tty it is closed on the first
	// FrameStdinClose; with one, stdin-close is ignored, since closing the
	// master would hang up the container's terminal. Nil means the
	// container's stdin is not open and input is discarded.
	Stdin io.WriteCloser
	// Resize is called for each resize request; nil ignores them.
	Resize func(Size) error
	// ClientBuffer is the output, in bytes, queued for one client before
	// it is dropped; zero means DefaultClientBuffer.
	ClientBuffer int
}

// Hub is the server side of attach, run by the shim: it fans the
// container's output out to every attached client and feeds their input to
// the container. Writing output never blocks: a client that does not keep
// up is disconnected when its queue overflows (the shim's log keeps
// everything). One Hub serves one run of the container: after Exit it
// only tells late clients the exit code.
type Hub struct {
	cfg        HubConfig
	firstReady chan struct{} // closed when the first client is attached

	mu       sync.Mutex
	clients  map[*hubClient]struct{}
	exited   bool
	exitCode int
	closed   bool

	stdinMu     sync.Mutex
	stdinClosed bool
}

// NewHub returns a hub with no clients.
func NewHub(cfg HubConfig) *Hub {
	if cfg.ClientBuffer <= 0 {
		cfg.ClientBuffer = DefaultClientBuffer
	}
	return &Hub{cfg: cfg, clients: make(map[*hubClient]struct{}), firstReady: make(chan struct{})}
}

// FirstClient is closed once a first client is attached and receiving, so
// a shim serving berth run -it can start the container only then and the
// client sees its first output.
func (h *Hub) FirstClient() <-chan struct{} { return h.firstReady }

// hubClient is one attached connection.
type hubClient struct {
	conn   net.Conn
	req    Request
	queue  chan Frame    // closed by Exit after the exit frame
	gone   chan struct{} // closed when the client is dropped
	queued atomic.Int64  // bytes in queue
}

// Stdout returns the writer the shim copies the container's output to: the
// terminal when Tty, stdout otherwise. Its Write never blocks and never fails.
func (h *Hub) Stdout() io.Writer { return hubStream{h, FrameStdout} }

// Stderr returns the writer for the container's stderr (unused with a tty).
func (h *Hub) Stderr() io.Writer { return hubStream{h, FrameStderr} }

type hubStream struct {
	h *Hub
	t FrameType
}

func (s hubStream) Write(p []byte) (int, error) {
	s.h.broadcast(s.t, p)
	return len(p), nil
}

// wants says whether c asked for output frames of type t.
func (c *hubClient) wants(t FrameType) bool {
	if t == FrameStderr {
		return c.req.Stderr
	}
	return c.req.Stdout
}

// broadcast queues a copy of p for every client that wants stream t. With
// no such client it costs a lock and no copy.
func (h *Hub) broadcast(t FrameType, p []byte) {
	if len(p) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.exited || h.closed {
		return
	}
	var data []byte
	for c := range h.clients {
		if !c.wants(t) {
			continue
		}
		if data == nil {
			data = append([]byte(nil), p...)
		}
		for rest := data; len(rest) > 0; {
			chunk := rest[:min(len(rest), MaxFramePayload)]
			rest = rest[len(chunk):]
			if !h.enqueueLocked(c, Frame{Type: t, Data: chunk}) {
				break
			}
		}
	}
}

// enqueueLocked queues f for c or drops c when its queue is full.
func (h *Hub) enqueueLocked(c *hubClient, f Frame) bool {
	n := int64(len(f.Data))
	if c.queued.Add(n) > int64(h.cfg.ClientBuffer) {
		h.dropLocked(c)
		return false
	}
	select {
	case c.queue <- f:
		return true
	default:
		h.dropLocked(c)
		return false
	}
}

func (h *Hub) drop(c *hubClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(c)
}

// dropLocked disconnects c; its goroutines notice through c.gone and the
// closed connection.
func (h *Hub) dropLocked(c *hubClient) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	close(c.gone)
	_ = c.conn.Close()
}

// Clients returns the number of attached clients.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Exit sends the exit code to every client after the output already queued
// for it, then disconnects them. Clients that attach later get the exit
// frame at once.
func (h *Hub) Exit(code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.exited || h.closed {
		return
	}
	h.exited, h.exitCode = true, code
	for c := range h.clients {
		if h.enqueueLocked(c, Frame{Type: FrameExit, Code: code}) {
			close(c.queue)
		}
	}
}

// Close disconnects every client without an exit frame; later clients get
// an error frame.
func (h *Hub) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		h.dropLocked(c)
	}
	return nil
}

// Serve accepts clients on l until l is closed, serving each in its own
// goroutine. It returns nil once l is closed.
func (h *Hub) Serve(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("accept attach client: %w", err)
		}
		go h.ServeConn(conn)
	}
}

// ServeConn serves one client until it detaches, is dropped, or the
// container exits, and closes conn.
func (h *Hub) ServeConn(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	r := bufio.NewReader(conn)
	first, err := ReadFrame(r)
	if err != nil {
		return
	}
	req, err := first.Request()
	if err == nil {
		err = h.checkRequest(req)
	}
	if err != nil {
		_ = WriteFrame(conn, Frame{Type: FrameError, Data: []byte(err.Error())})
		return
	}
	c := &hubClient{
		conn:  conn,
		req:   req,
		queue: make(chan Frame, clientQueueFrames),
		gone:  make(chan struct{}),
	}
	if done := h.add(c); done {
		return
	}
	if h.cfg.Tty && req.Size != (Size{}) {
		h.redraw(req.Size)
	}
	go h.writeLoop(c)
	h.readLoop(c, r)
	h.drop(c)
}

func (h *Hub) checkRequest(req Request) error {
	if req.Tty != h.cfg.Tty {
		if h.cfg.Tty {
			return fmt.Errorf("%w: the container has a terminal, attach with a tty", ErrBadRequest)
		}
		return fmt.Errorf("%w: the container has no terminal, attach without a tty", ErrBadRequest)
	}
	if req.DetachKeys != "" {
		if _, err := ParseDetachKeys(req.DetachKeys); err != nil {
			return err
		}
	}
	return nil
}

// add registers c. When the hub is already finished it answers c itself
// and returns true.
func (h *Hub) add(c *hubClient) (done bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		_ = WriteFrame(c.conn, Frame{Type: FrameError, Data: []byte(ErrHubClosed.Error())})
		return true
	case h.exited:
		_ = WriteFrame(c.conn, Frame{Type: FrameExit, Code: h.exitCode})
		return true
	}
	h.clients[c] = struct{}{}
	select {
	case <-h.firstReady:
	default:
		close(h.firstReady)
	}
	return false
}

// redraw makes a full-screen program repaint for a new client: two size
// changes, since setting the current size again sends no SIGWINCH.
func (h *Hub) redraw(s Size) {
	if h.cfg.Resize == nil {
		return
	}
	_ = h.cfg.Resize(Size{Width: s.Width, Height: s.Height + 1})
	_ = h.cfg.Resize(s)
}

// writeLoop sends c its queued frames until the exit frame or a drop.
func (h *Hub) writeLoop(c *hubClient) {
	for {
		select {
		case f, ok := <-c.queue:
			if !ok {
				h.drop(c)
				return
			}
			if err := WriteFrame(c.conn, f); err != nil {
				h.drop(c)
				return
			}
			c.queued.Add(-int64(len(f.Data)))
		case <-c.gone:
			return
		}
	}
}

// readLoop applies c's input frames until it leaves or misbehaves.
func (h *Hub) readLoop(c *hubClient, r io.Reader) {
	for {
		f, err := ReadFrame(r)
		if err != nil {
			return
		}
		switch f.Type {
		case FrameStdin:
			if !c.req.Stdin {
				return
			}
			h.writeStdin(f.Data)
		case FrameStdinClose:
			if !c.req.Stdin {
				return
			}
			h.closeStdin()
		case FrameResize:
			if h.cfg.Resize != nil && f.Size != (Size{}) {
				_ = h.cfg.Resize(f.Size)
			}
		default:
			return
		}
	}
}

func (h *Hub) writeStdin(p []byte) {
	h.stdinMu.Lock()
	defer h.stdinMu.Unlock()
	if h.cfg.Stdin == nil || h.stdinClosed {
		return
	}
	if _, err := h.cfg.Stdin.Write(p); err != nil {
		h.stdinClosed = true
		_ = h.cfg.Stdin.Close()
	}
}

func (h *Hub) closeStdin() {
	h.stdinMu.Lock()
	defer h.stdinMu.Unlock()
	if h.cfg.Stdin == nil || h.stdinClosed || h.cfg.Tty {
		return
	}
	h.stdinClosed = true
	_ = h.cfg.Stdin.Close()
}

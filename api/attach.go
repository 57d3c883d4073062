package api

import (
	"context"
	"net/http"
	"slices"

	"berth/engine"
)

// pendingAttach is an attach to a container that is not running yet (the
// docker CLI attaches before it starts the container, so that no output
// is lost): the container's next start through the API runs it with
// these streams. done closes when that run ends; err is then why. It
// waits for that start as long as it takes: a client that goes away
// meanwhile is not noticed (its stdin may end at any time, which looks
// the same). It may be registered before its streams are (see
// attachContainer): ready closes once ctx and opts are set, or once the
// attach gave up before that (abandoned: the start goes on without it).
type pendingAttach struct {
	ready     chan struct{}
	abandoned bool
	ctx       context.Context
	opts      engine.AttachOptions
	done      chan struct{}
	err       error
}

// attachContainer is POST /containers/{id}/attach: the connection is
// hijacked and carries the container's output (multiplexed unless it has
// a tty) and, with stdin=1, the client's input; the client half-closing
// its side closes the container's stdin. logs=1 first sends the log so
// far; stream=0 sends only that.
func (s *Server) attachContainer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.streamContainer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var flags [5]bool
	for i, name := range []string{"stream", "stdin", "stdout", "stderr", "logs"} {
		if flags[i], err = boolParam(r, name); err != nil {
			return err
		}
	}
	stream, stdin, stdout, stderr, logs := flags[0], flags[1], flags[2], flags[3], flags[4]
	if c.State.Paused() {
		return conflictf("You cannot attach to a paused container, unpause it first")
	}
	tty := c.Config.Tty
	// Without logs (the docker CLI's start -a and run) the attach waits
	// for the start before the client hears the answer below; with logs,
	// after the replay, which the client reads before it starts anything
	// (a start waiting for the replay would wait for a client waiting for
	// the start).
	var p *pendingAttach
	if stream && !logs && !c.State.Running() {
		p = &pendingAttach{ready: make(chan struct{}), done: make(chan struct{})}
		s.streams.addPending(c.ID, p)
		defer s.streams.abandonPending(c.ID, p)
	}
	hj, err := hijack(w, r, !tty)
	if err != nil {
		return err
	}
	defer func() { _ = hj.conn.Close() }()
	// The session outlives what net/http knows of the connection: a
	// client that half-closed its side (no more stdin) before the hijack
	// has the request's context cancelled, and is still reading.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	out, errOut := outputStreams(hj.conn, tty)
	if !stdout {
		out = nil
	}
	if !stderr || tty {
		errOut = nil
	}
	if logs {
		err := s.host.Logs(ctx, c.ID, engine.LogsOptions{Tail: -1, Stdout: stdout, Stderr: stderr}, func(e engine.LogEntry) error {
			return writeLogEntry(e, out, errOut, tty, false)
		})
		if err != nil {
			s.logStreamEnd(r, "attach logs", err)
			return nil
		}
	}
	if !stream {
		return nil
	}
	resize := make(chan engine.TerminalSize, 1)
	s.streams.addResizer(c.ID, resize)
	defer s.streams.removeResizer(c.ID, resize)
	opts := engine.AttachOptions{Stdout: out, Stderr: errOut, DetachKeys: r.URL.Query().Get("detachKeys"),
		Resize: resize, NoSignalProxy: true}
	if stdin {
		opts.Stdin = hj.in
	}
	if p == nil && c.State.Running() {
		_, err = s.host.Attach(ctx, c.ID, opts)
		s.logStreamEnd(r, "attach", err)
		return nil
	}
	if p == nil {
		p = &pendingAttach{ready: make(chan struct{}), done: make(chan struct{})}
		s.streams.addPending(c.ID, p)
	}
	p.ctx, p.opts = ctx, opts
	close(p.ready)
	if now, err := s.host.Inspect(ctx, c.ID); err == nil && now.State.Running() {
		s.joinPending(c.ID) // started meanwhile, not through this server
	}
	<-p.done
	s.logStreamEnd(r, "attach", p.err)
	return nil
}

// runPending starts the container with a pending attach's streams and
// returns once it runs; the attach goes on until the container exits.
func (s *Server) runPending(ctx context.Context, id string, p *pendingAttach) error {
	<-p.ready // the attach's handler closes it whatever happens
	if p.abandoned {
		close(p.done)
		return s.host.Start(ctx, id)
	}
	started := make(chan struct{})
	opts := p.opts
	opts.Started = func() { close(started) }
	go func() {
		defer close(p.done)
		_, p.err = s.host.Run(p.ctx, id, opts)
	}()
	select {
	case <-started:
		return nil
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resizeContainer is POST /containers/{id}/resize: the new window size
// goes to every attach in progress to the container, or straight to the
// container's terminal when none is.
func (s *Server) resizeContainer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.streamContainer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	size, err := sizeParams(r)
	if err != nil {
		return err
	}
	if !c.State.Running() {
		return conflictf("Container %s is not running", c.DisplayName())
	}
	if !s.streams.resize(c.ID, size) {
		if err := s.host.ResizeTTY(r.Context(), c.ID, size); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (st *streamState) addPending(id string, p *pendingAttach) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pending == nil {
		st.pending = map[string][]*pendingAttach{}
	}
	st.pending[id] = append(st.pending[id], p)
}

// abandonPending gives up p, an attach that ends before its streams
// were ready (a failed hijack, a failed log replay): it waits for no
// start any more, and a start that took it already goes on without it.
// Once p is ready it does nothing.
func (st *streamState) abandonPending(id string, p *pendingAttach) {
	select {
	case <-p.ready:
		return
	default:
	}
	st.mu.Lock()
	st.pending[id] = slices.DeleteFunc(st.pending[id], func(q *pendingAttach) bool { return q == p })
	if len(st.pending[id]) == 0 {
		delete(st.pending, id)
	}
	st.mu.Unlock()
	p.abandoned = true
	close(p.ready)
}

// takePending is the oldest attach waiting for container id to start.
func (st *streamState) takePending(id string) *pendingAttach {
	st.mu.Lock()
	defer st.mu.Unlock()
	list := st.pending[id]
	if len(list) == 0 {
		return nil
	}
	p := list[0]
	if len(list) == 1 {
		delete(st.pending, id)
	} else {
		st.pending[id] = list[1:]
	}
	return p
}

// joinPending connects the attaches still waiting for container id, now
// running, to it.
func (s *Server) joinPending(id string) {
	for p := s.streams.takePending(id); p != nil; p = s.streams.takePending(id) {
		go func() {
			defer close(p.done)
			if <-p.ready; !p.abandoned {
				_, p.err = s.host.Attach(p.ctx, id, p.opts)
			}
		}()
	}
}

func (st *streamState) addResizer(id string, ch chan engine.TerminalSize) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.resizers == nil {
		st.resizers = map[string]map[chan engine.TerminalSize]struct{}{}
	}
	if st.resizers[id] == nil {
		st.resizers[id] = map[chan engine.TerminalSize]struct{}{}
	}
	st.resizers[id][ch] = struct{}{}
}

func (st *streamState) removeResizer(id string, ch chan engine.TerminalSize) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.resizers[id], ch)
	if len(st.resizers[id]) == 0 {
		delete(st.resizers, id)
	}
}

// resize hands size to the attaches in progress to container id; false
// when there is none.
func (st *streamState) resize(id string, size engine.TerminalSize) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for ch := range st.resizers[id] {
		sendSize(ch, size)
	}
	return len(st.resizers[id]) > 0
}

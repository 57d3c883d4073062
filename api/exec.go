package api

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
	"berth/host"
)

// How long the server keeps an exec record no client started, and one
// whose process ended (for the client that asks for its exit code).
const (
	execUnstartedTTL = 10 * time.Minute
	execFinishedTTL  = 5 * time.Minute
)

// execRecord is an exec the server keeps from its create until a while
// after its process ended: its configuration, session and outcome.
type execRecord struct {
	id          string
	containerID string
	cfg         container.ExecCreateRequest
	session     host.ExecSession
	resize      chan engine.TerminalSize

	mu       sync.Mutex
	started  bool
	running  bool
	exitCode *int
	expiry   *time.Timer
}

// execPider is an exec session that knows its process's host PID.
type execPider interface{ Pid() int }

// createExec is POST /containers/{id}/exec: it prepares the command in
// the running container and keeps the record until the process ended
// and a client had time to read its exit code.
func (s *Server) createExec(w http.ResponseWriter, r *http.Request) error {
	var req container.ExecCreateRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.Cmd) == 0 {
		return invalidf("No exec command specified")
	}
	c, err := s.streamContainer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rec := &execRecord{id: newExecID(), containerID: c.ID, cfg: req, resize: make(chan engine.TerminalSize, 1)}
	opts := engine.ExecOptions{Cmd: req.Cmd, Env: req.Env, User: req.User, WorkingDir: req.WorkingDir,
		Tty: req.Tty, Privileged: req.Privileged, Resize: rec.resize, NoSignalProxy: true}
	if req.ConsoleSize != nil {
		opts.Size = engine.TerminalSize{Height: uint16(min(req.ConsoleSize[0], 1<<16-1)), Width: uint16(min(req.ConsoleSize[1], 1<<16-1))}
	}
	rec.session, err = s.host.Exec(r.Context(), c.ID, opts)
	if err != nil {
		return err
	}
	s.streams.addExec(rec)
	return writeJSON(w, http.StatusCreated, container.ExecCreateResponse{ID: rec.id})
}

// startExec is POST /exec/{id}/start: detached, the process runs on its
// own; else the connection is hijacked as an attach's and carries the
// process's streams until it exits.
func (s *Server) startExec(w http.ResponseWriter, r *http.Request) error {
	var req container.ExecStartRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	rec, err := s.streams.exec(r.PathValue("id"))
	if err != nil {
		return err
	}
	if !rec.begin() {
		return conflictf("Error: Exec command %s is already running", rec.id)
	}
	if req.ConsoleSize != nil {
		sendSize(rec.resize, engine.TerminalSize{Height: uint16(min(req.ConsoleSize[0], 1<<16-1)), Width: uint16(min(req.ConsoleSize[1], 1<<16-1))})
	}
	if req.Detach {
		if err := rec.session.Detach(); err != nil {
			s.finishExec(rec, -1)
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	tty := rec.cfg.Tty
	hj, err := hijack(w, r, !tty)
	if err != nil {
		s.finishExec(rec, -1)
		return err
	}
	defer func() { _ = hj.conn.Close() }()
	out, errOut := outputStreams(hj.conn, tty)
	if !rec.cfg.AttachStdout {
		out = nil
	}
	if !rec.cfg.AttachStderr {
		errOut = nil
	}
	var in io.Reader
	if rec.cfg.AttachStdin {
		in = hj.in
	}
	code, err := rec.session.Run(in, out, errOut)
	if err != nil {
		code = engine.ExitCode(err)
		s.logStreamEnd(r, "exec", err)
		if msg := cmp.Or(errOut, out); msg != nil {
			_, _ = msg.Write([]byte(err.Error() + "\n")) // the client may be gone; the log has it
		}
	}
	s.finishExec(rec, code)
	return nil
}

// inspectExec is GET /exec/{id}/json.
func (s *Server) inspectExec(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.streams.exec(r.PathValue("id"))
	if err != nil {
		return err
	}
	rec.mu.Lock()
	resp := container.ExecInspectResponse{
		ID: rec.id, Running: rec.running, ExitCode: rec.exitCode,
		ProcessConfig: &container.ExecProcessConfig{Tty: rec.cfg.Tty, Entrypoint: rec.cfg.Cmd[0],
			Arguments: rec.cfg.Cmd[1:], Privileged: &rec.cfg.Privileged, User: rec.cfg.User},
		OpenStdin: rec.cfg.AttachStdin, OpenStdout: rec.cfg.AttachStdout, OpenStderr: rec.cfg.AttachStderr,
		ContainerID: rec.containerID, DetachKeys: []byte(rec.cfg.DetachKeys),
	}
	rec.mu.Unlock()
	if p, ok := rec.session.(execPider); ok && resp.Running {
		resp.Pid = p.Pid()
	}
	return writeJSON(w, http.StatusOK, resp)
}

// resizeExec is POST /exec/{id}/resize: the window size of the exec's
// terminal, before it starts or while it runs.
func (s *Server) resizeExec(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.streams.exec(r.PathValue("id"))
	if err != nil {
		return err
	}
	size, err := sizeParams(r)
	if err != nil {
		return err
	}
	sendSize(rec.resize, size)
	w.WriteHeader(http.StatusOK)
	return nil
}

// begin marks the exec started; false when it was already.
func (rec *execRecord) begin() bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.started {
		return false
	}
	rec.started, rec.running = true, true
	if rec.expiry != nil {
		rec.expiry.Stop()
	}
	return true
}

// finishExec records the exit code (-1: unknown) and forgets the record
// after execFinishedTTL.
func (s *Server) finishExec(rec *execRecord, code int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.running = false
	if code >= 0 {
		rec.exitCode = &code
	}
	rec.expiry = time.AfterFunc(execFinishedTTL, func() { s.streams.removeExec(rec.id) })
}

func (st *streamState) addExec(rec *execRecord) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.execs == nil {
		st.execs = map[string]*execRecord{}
	}
	st.execs[rec.id] = rec
	rec.expiry = time.AfterFunc(execUnstartedTTL, func() { st.removeExec(rec.id) })
}

func (st *streamState) exec(id string) (*execRecord, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.execs[id]
	if !ok {
		return nil, notFoundf("No such exec instance: %s", id)
	}
	return rec, nil
}

func (st *streamState) removeExec(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.execs, id)
}

// newExecID is 64 random hex digits, as dockerd's exec IDs.
func newExecID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"berth/engine"
)

// streamRoutes are container create, start and wait, and the endpoints
// that stream: attach and resize, logs, exec and stats.
func (s *Server) streamRoutes() []route {
	return []route{
		{"POST /containers/create", s.createContainer},
		{"POST /containers/{id}/start", s.startContainer},
		{"POST /containers/{id}/wait", s.waitContainer},
		{"POST /containers/{id}/attach", s.attachContainer},
		{"POST /containers/{id}/resize", s.resizeContainer},
		{"GET /containers/{id}/logs", s.containerLogs},
		{"POST /containers/{id}/exec", s.createExec},
		{"POST /exec/{id}/start", s.startExec},
		{"GET /exec/{id}/json", s.inspectExec},
		{"POST /exec/{id}/resize", s.resizeExec},
		{"GET /containers/{id}/stats", s.containerStats},
	}
}

// streamState is what the server keeps between the requests of one
// session: attaches waiting for their container's start, the window-size
// channels of attaches in progress, and exec records. Its zero value is
// ready to use.
type streamState struct {
	mu sync.Mutex
	// pending are attaches to a container that is not running yet, by
	// container ID: its next start connects them from its first byte.
	pending map[string][]*pendingAttach
	// resizers are the window-size channels of the attaches in progress,
	// by container ID.
	resizers map[string]map[chan engine.TerminalSize]struct{}
	execs    map[string]*execRecord
}

// streamContainer is the container ref names, with dockerd's words when
// there is none.
func (s *Server) streamContainer(ctx context.Context, ref string) (*engine.Container, error) {
	c, err := s.host.Inspect(ctx, ref)
	if err != nil {
		return nil, containerError(ref, err)
	}
	return c, nil
}

// boolParam reads a query parameter as dockerd does: "1", "true", "True"
// … are true; absent, "", "0" and "false" are false.
func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invalidf("invalid value for %s: %q: not a boolean", name, v)
	}
	return b, nil
}

// sizeParams reads h and w, a window size in character cells.
func sizeParams(r *http.Request) (engine.TerminalSize, error) {
	q := r.URL.Query()
	h, err := strconv.ParseUint(q.Get("h"), 10, 16)
	if err != nil {
		return engine.TerminalSize{}, invalidf("invalid value for h: %q: %v", q.Get("h"), errors.Unwrap(err))
	}
	w, err := strconv.ParseUint(q.Get("w"), 10, 16)
	if err != nil {
		return engine.TerminalSize{}, invalidf("invalid value for w: %q: %v", q.Get("w"), errors.Unwrap(err))
	}
	return engine.TerminalSize{Width: uint16(w), Height: uint16(h)}, nil
}

// sendSize hands a new window size to a session, replacing one it has not
// taken yet: only the newest size matters.
func sendSize(ch chan engine.TerminalSize, size engine.TerminalSize) {
	for {
		select {
		case ch <- size:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// logStreamEnd is how a session that already answered reports why it
// ended: only the server's log sees it, at debug (a client that went away
// ends most of them).
func (s *Server) logStreamEnd(r *http.Request, what string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Debug("stream ended", "method", r.Method, "path", r.URL.Path, "what", what, "err", fmt.Sprint(err))
	}
}

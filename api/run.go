package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/moby/moby/api/types/container"

	"berth/engine/events"
)

// startContainer is POST /containers/{id}/start: 204 once its command
// runs, 304 when it already ran. An attach waiting for this start is
// connected from the container's first byte of output.
func (s *Server) startContainer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.streamContainer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.State.Running() && !c.State.Paused() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if p := s.streams.takePending(c.ID); p != nil {
		err = s.runPending(r.Context(), c.ID, p)
	} else {
		err = s.host.Start(r.Context(), c.ID)
	}
	if err != nil {
		return err
	}
	s.joinPending(c.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// waitContainer is POST /containers/{id}/wait: condition not-running (the
// default) answers when the container is not running, next-exit at its
// next exit, removed once it is removed. The header goes out at once, as
// dockerd's, so a client may wait before it starts the container; the
// body when the condition is met.
func (s *Server) waitContainer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cond := container.WaitCondition(r.URL.Query().Get("condition"))
	switch cond {
	case "":
		cond = container.WaitConditionNotRunning
	case container.WaitConditionNotRunning, container.WaitConditionNextExit, container.WaitConditionRemoved:
	default:
		return invalidf("invalid condition: %q", cond)
	}
	c, err := s.streamContainer(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	// Follow before looking at the state again: no exit in between is missed.
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evs, err := s.host.Events().Follow(fctx, events.Filter{ID: c.ID, Types: []string{events.TypeContainer},
		Actions: []string{events.ActionDie, events.ActionDestroy}})
	if err != nil {
		return err
	}
	code := c.State.ExitCode
	now, err := s.host.Inspect(ctx, c.ID)
	switch {
	case err != nil && cond == container.WaitConditionRemoved:
		return writeJSON(w, http.StatusOK, container.WaitResponse{StatusCode: int64(code)})
	case err != nil:
		return err
	case cond == container.WaitConditionNotRunning && !now.State.Running():
		return writeJSON(w, http.StatusOK, container.WaitResponse{StatusCode: int64(now.State.ExitCode)})
	}
	code = now.State.ExitCode
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if err := http.NewResponseController(w).Flush(); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-evs:
			if !ok {
				return nil
			}
			if e.Action == events.ActionDie {
				if n, err := strconv.Atoi(e.Attributes[events.AttrExitCode]); err == nil {
					code = n
				}
				if cond != container.WaitConditionRemoved {
					return writeWaitBody(w, code)
				}
				continue
			}
			return writeWaitBody(w, code) // destroyed: removed, or gone while waiting for an exit
		}
	}
}

func writeWaitBody(w http.ResponseWriter, code int) error {
	return json.NewEncoder(w).Encode(container.WaitResponse{StatusCode: int64(code)})
}

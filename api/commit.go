package api

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
)

// commitContainer is POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=:
// an image of the container's writable layer with its configuration,
// changed by the Dockerfile instructions in changes (repeated, or
// several to a value, one a line, as dockerd takes them). pause is true
// unless the client says otherwise. A configuration in the body (what
// dockerd merges over the container's) is refused by name: berth takes
// changes only.
func (s *Server) commitContainer(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	id := q.Get("container")
	if id == "" {
		return invalidf("bad parameter: container cannot be empty")
	}
	var cfg *container.Config
	if err := readObjectJSON(w, r, &cfg); err != nil {
		return err
	}
	if cfg != nil && !reflect.ValueOf(*cfg).IsZero() {
		return invalidf("containerConfig: not supported by berth, use changes")
	}
	pause := true
	if q.Has("pause") {
		var err error
		if pause, err = boolParam(r, "pause"); err != nil {
			return err
		}
	}
	opts := engine.CommitOptions{Ref: q.Get("repo"), Message: q.Get("comment"), Author: q.Get("author"), Pause: pause}
	if tag := q.Get("tag"); tag != "" && opts.Ref != "" {
		opts.Ref += ":" + tag
	}
	for _, v := range q["changes"] {
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				opts.Changes = append(opts.Changes, line)
			}
		}
	}
	imageID, err := s.host.Commit(r.Context(), id, opts)
	if err != nil {
		return containerError(id, err)
	}
	return writeJSON(w, http.StatusCreated, container.CommitResponse{ID: imageID})
}

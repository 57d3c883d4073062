package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
	"berth/engine/archive"
)

// containerRoutes are the container endpoints that answer at once
// (create, start, wait and the streams are in streams.go); cp's archive
// endpoints are in containers_archive.go, prune in containers_prune.go.
func (s *Server) containerRoutes() []route {
	return []route{
		{"GET /containers/json", s.listContainers},
		{"GET /containers/{id}/json", s.inspectContainer},
		{"POST /containers/{id}/stop", s.stopContainer},
		{"POST /containers/{id}/kill", s.killContainer},
		{"POST /containers/{id}/restart", s.restartContainer},
		{"POST /containers/{id}/pause", s.pauseContainer},
		{"POST /containers/{id}/unpause", s.unpauseContainer},
		{"DELETE /containers/{id}", s.removeContainer},
		{"POST /containers/{id}/rename", s.renameContainer},
		{"POST /containers/{id}/update", s.updateContainer},
		{"GET /containers/{id}/top", s.topContainer},
		{"GET /containers/{id}/changes", s.containerChanges},
		{"GET /containers/{id}/export", s.exportContainer},
		{"HEAD /containers/{id}/archive", s.statContainerPath},
		{"GET /containers/{id}/archive", s.getContainerArchive},
		{"PUT /containers/{id}/archive", s.putContainerArchive},
		{"POST /containers/prune", s.pruneContainers},
		{"POST /commit", s.commitContainer},
	}
}

// containerError words an engine error about the container ref as
// dockerd does where a client shows it ("No such container: web"), and
// gives the archive's errors their status: a missing path is 404, an
// extraction point that is no directory 400.
func containerError(ref string, err error) error {
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return notFoundf("No such container: %s", ref)
	case errors.Is(err, archive.ErrNotFound):
		return kindError{err, errNotFound}
	case errors.Is(err, archive.ErrNotDir):
		return kindError{err, errInvalidArgument}
	}
	return err
}

// noContent answers a request that has nothing to say.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listContainers(w http.ResponseWriter, r *http.Request) error {
	args, err := queryFilters(r)
	if err != nil {
		return err
	}
	if err := engine.ValidateListFilters(args); err != nil {
		return invalidf("%v", err)
	}
	limit, _, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	withSize := queryBool(r, "size")
	list, err := s.host.List(r.Context(), engine.ListOptions{All: queryBool(r, "all") || limit > 0, Filters: args, Brief: true})
	if err != nil {
		return containerListError(err)
	}
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	now := time.Now()
	out := make([]container.Summary, 0, len(list))
	for _, c := range list {
		var size *ContainerSize
		if withSize {
			if size, err = s.containerSize(c); err != nil {
				s.log.Info("measure container", "container", c.ID, "err", err)
			}
		}
		out = append(out, ContainerSummary(c, size, now))
	}
	return writeJSON(w, http.StatusOK, out)
}

// containerListError is a list failure: a before or since filter that
// names no container is docker's 404.
func containerListError(err error) error {
	if errors.Is(err, engine.ErrNotFound) {
		return notFoundf("No such container: %s", strings.TrimPrefix(err.Error(), engine.ErrNotFound.Error()+": "))
	}
	return err
}

// containerSize measures the container's writable layer and, with its
// image, its whole root filesystem; an image that cannot be read counts
// for nothing (and is logged), as the layer alone is still true.
func (s *Server) containerSize(c *engine.Container) (*ContainerSize, error) {
	rw, err := s.host.Images().RootfsSize(c.ID)
	if err != nil {
		return nil, fmt.Errorf("measure container %s: %w", c.DisplayName(), err)
	}
	size := &ContainerSize{RW: rw, RootFS: rw}
	img, err := s.host.Images().Lookup(c.Image)
	if err != nil {
		s.log.Info("measure the image of a container", "container", c.ID, "image", c.Image, "err", err)
		return size, nil
	}
	size.RootFS += img.Size
	return size, nil
}

func (s *Server) inspectContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := s.host.Inspect(r.Context(), id)
	if err != nil {
		return containerError(id, err)
	}
	var size *ContainerSize
	if queryBool(r, "size") {
		if size, err = s.containerSize(c); err != nil {
			return err
		}
	}
	resp := ContainerInspect(c, size)
	if versionBefore(r.Context(), legacyNetworkVersion) {
		return writeJSON(w, http.StatusOK, legacyInspect(resp, c, versionBefore(r.Context(), legacyMacVersion)))
	}
	return writeJSON(w, http.StatusOK, resp)
}

// stopOptions reads stop's and restart's t, seconds to wait (-1: as
// long as it takes).
func stopOptions(r *http.Request) (engine.StopOptions, error) {
	var opts engine.StopOptions
	t, ok, err := queryInt(r, "t")
	if err != nil || !ok {
		return opts, err
	}
	d := time.Duration(t) * time.Second
	opts.Timeout = &d
	return opts, nil
}

func (s *Server) stopContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	opts, err := stopOptions(r)
	if err != nil {
		return err
	}
	c, err := s.host.Inspect(r.Context(), id)
	if err != nil {
		return containerError(id, err)
	}
	if !c.State.Running() {
		w.WriteHeader(http.StatusNotModified) // dockerd's answer: already stopped
		return nil
	}
	if err := s.stop(r.Context(), c, r.URL.Query().Get("signal"), opts); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

func (s *Server) restartContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	opts, err := stopOptions(r)
	if err != nil {
		return err
	}
	sig := r.URL.Query().Get("signal")
	if sig == "" {
		if err := s.host.Restart(r.Context(), id, opts); err != nil {
			return containerError(id, err)
		}
		return noContent(w)
	}
	c, err := s.host.Inspect(r.Context(), id)
	if err != nil {
		return containerError(id, err)
	}
	if c.State.Running() {
		if err := s.stop(r.Context(), c, sig, opts); err != nil {
			return containerError(id, err)
		}
	}
	if err := s.host.Start(r.Context(), id); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

func (s *Server) killContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.host.Kill(r.Context(), id, r.URL.Query().Get("signal")); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

func (s *Server) pauseContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.host.Pause(r.Context(), id); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

func (s *Server) unpauseContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.host.Unpause(r.Context(), id); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

func (s *Server) removeContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if queryBool(r, "link") {
		return invalidf("berth does not remove links: recreate the container %s without --link", id)
	}
	opts := engine.RemoveOptions{Force: queryBool(r, "force"), Volumes: queryBool(r, "v")}
	if err := s.host.Remove(r.Context(), id, opts); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

func (s *Server) renameContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	name := r.URL.Query().Get("name")
	if name == "" {
		return invalidf("name is required")
	}
	if err := s.host.Rename(r.Context(), id, name); err != nil {
		return containerError(id, err)
	}
	return noContent(w)
}

// maxUpdateBody bounds an update's JSON: a few limits, never megabytes.
const maxUpdateBody = 1 << 20

func (s *Server) updateContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var cfg container.UpdateConfig
	r.Body = http.MaxBytesReader(w, r.Body, maxUpdateBody)
	if err := readJSON(r, &cfg); err != nil {
		return err
	}
	opts, err := UpdateOptions(&cfg)
	if err != nil {
		return err
	}
	if err := s.host.Update(r.Context(), id, opts); err != nil {
		return containerError(id, err)
	}
	return writeJSON(w, http.StatusOK, container.UpdateResponse{Warnings: []string{}})
}

func (s *Server) topContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	res, err := s.host.TopPS(r.Context(), id, strings.Fields(r.URL.Query().Get("ps_args")))
	if err != nil {
		return containerError(id, err)
	}
	return writeJSON(w, http.StatusOK, container.TopResponse{Titles: res.Titles, Processes: res.Processes})
}

func (s *Server) containerChanges(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	changes, err := s.host.Diff(r.Context(), id)
	if err != nil {
		return containerError(id, err)
	}
	out := make([]container.FilesystemChange, 0, len(changes))
	for _, c := range changes {
		out = append(out, container.FilesystemChange{Kind: container.ChangeType(c.Kind), Path: c.Path})
	}
	return writeJSON(w, http.StatusOK, out)
}

// exportContainer streams the container's root filesystem as a tar; an
// error before the first byte is answered as one, after it the stream
// is cut.
func (s *Server) exportContainer(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	w.Header().Set("Content-Type", "application/x-tar")
	if err := s.host.Export(r.Context(), id, w); err != nil {
		return containerError(id, err)
	}
	return nil
}

package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/volume"

	"berth/engine"
	"berth/engine/volumes"
	"berth/host"
	filterArgs "berth/internal/filters"
)

// volumeRoutes are the volume endpoints.
func (s *Server) volumeRoutes() []route {
	return []route{
		{"GET /volumes", s.listVolumes},
		{"GET /volumes/{name}", s.inspectVolume},
		{"POST /volumes/create", s.createVolume},
		{"DELETE /volumes/{name}", s.removeVolume},
		{"POST /volumes/prune", s.pruneVolumes},
	}
}

// volumeError gives the volume store's errors the status dockerd answers
// them with.
func volumeError(err error) error {
	switch {
	case errors.Is(err, volumes.ErrNotFound):
		return kindError{err, errNotFound}
	case errors.Is(err, volumes.ErrInUse):
		return kindError{err, errConflict}
	case errors.Is(err, volumes.ErrInvalidName), errors.Is(err, volumes.ErrInvalidOpt):
		return kindError{err, errInvalidArgument}
	}
	return err
}

func mobyVolume(v *engine.Volume) volume.Volume {
	return volume.Volume{
		CreatedAt: v.CreatedAt, Driver: v.Driver, Labels: nonNilMap(v.Labels), Mountpoint: v.Mountpoint,
		Name: v.Name, Options: nonNilMap(v.Options), Scope: v.Scope,
	}
}

// listVolumes is GET /volumes?filters=: dangling, name (a substring),
// label (label!), driver.
func (s *Server) listVolumes(w http.ResponseWriter, r *http.Request) error {
	conds, err := queryFilters(r)
	if err != nil {
		return err
	}
	match, err := volumeMatcher(conds)
	if err != nil {
		return err
	}
	vols := s.host.Volumes()
	list, err := vols.List(r.Context())
	if err != nil {
		return err
	}
	users, err := vols.Users(r.Context())
	if err != nil {
		return err
	}
	out := volume.ListResponse{Volumes: []volume.Volume{}, Warnings: []string{}}
	for _, v := range list {
		if match(v, len(users[v.Name])) {
			out.Volumes = append(out.Volumes, mobyVolume(v))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// volumeMatcher is the list's filters as a predicate of a volume and the
// number of containers using it: values of one key are alternatives,
// every key must hold; label! excludes.
func volumeMatcher(args filterArgs.Args) (func(v *engine.Volume, users int) bool, error) {
	if err := args.Validate("dangling", "driver", "label", "label!", "name"); err != nil {
		return nil, kindError{err, errInvalidArgument}
	}
	dangling, danglingSet, err := args.Bool("dangling")
	if err != nil {
		return nil, kindError{err, errInvalidArgument}
	}
	return func(v *engine.Volume, users int) bool {
		if danglingSet && (users == 0) != dangling {
			return false
		}
		if names := args["name"]; len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(v.Name, n) }) {
			return false
		}
		if drivers := args["driver"]; len(drivers) > 0 && !slices.Contains(drivers, v.Driver) {
			return false
		}
		if !host.LabelsMatch(v.Labels, args["label"]) {
			return false
		}
		return !slices.ContainsFunc(args["label!"], func(l string) bool { return host.LabelsMatch(v.Labels, []string{l}) })
	}, nil
}

// inspectVolume is GET /volumes/{name}.
func (s *Server) inspectVolume(w http.ResponseWriter, r *http.Request) error {
	v, err := s.host.Volumes().Inspect(r.Context(), r.PathValue("name"))
	if err != nil {
		return volumeError(err)
	}
	return writeJSON(w, http.StatusOK, mobyVolume(v))
}

// createVolume is POST /volumes/create; a volume of that name that exists
// already is answered as it is, as dockerd does.
func (s *Server) createVolume(w http.ResponseWriter, r *http.Request) error {
	var req volume.CreateRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	if req.ClusterVolumeSpec != nil {
		return invalidf("cluster volumes are not supported")
	}
	v, err := s.host.Volumes().Create(r.Context(), volumes.CreateOptions{
		Name: req.Name, Driver: req.Driver, Options: req.DriverOpts, Labels: req.Labels,
	})
	if err != nil {
		return volumeError(err)
	}
	return writeJSON(w, http.StatusCreated, mobyVolume(v))
}

// removeVolume is DELETE /volumes/{name}?force=.
func (s *Server) removeVolume(w http.ResponseWriter, r *http.Request) error {
	if err := s.host.Volumes().Remove(r.Context(), r.PathValue("name"), queryBool(r, "force")); err != nil {
		return volumeError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pruneVolumes is POST /volumes/prune?filters=: the volumes no container
// uses; from API 1.42 only anonymous ones unless the all filter is true
// (older clients, docker 20.10's, get every unused volume, as dockerd
// did then). label (label!) narrows it.
func (s *Server) pruneVolumes(w http.ResponseWriter, r *http.Request) error {
	conds, err := queryFilters(r)
	if err != nil {
		return err
	}
	if err := conds.Validate("all", "label", "label!"); err != nil {
		return kindError{err, errInvalidArgument}
	}
	all, _, err := conds.Bool("all")
	if err != nil {
		return kindError{err, errInvalidArgument}
	}
	all = all || versionBefore(r.Context(), "1.42")
	opts := engine.PruneOptions{All: all}
	if conds.Contains("label") || conds.Contains("label!") {
		match, err := volumeMatcher(filterArgs.Args{"label": conds["label"], "label!": conds["label!"]})
		if err != nil {
			return err
		}
		opts.Keep = func(v *engine.Volume) bool { return !match(v, 0) }
	}
	removed, reclaimed, err := s.host.Volumes().Prune(r.Context(), opts)
	if err != nil {
		return volumeError(err)
	}
	return writeJSON(w, http.StatusOK, volume.PruneReport{VolumesDeleted: orEmpty(removed), SpaceReclaimed: uint64(max(reclaimed, 0))})
}

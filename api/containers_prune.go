package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
)

// pruneFilterKeys are the filters of POST /containers/prune, dockerd's.
var pruneFilterKeys = []string{"until", "label", "label!"}

// pruneContainers removes every container that is not running (created,
// exited, dead) and passes the filters: until (created before),
// label and label! (without the label). One that cannot be removed is
// left, as dockerd does, and logged.
func (s *Server) pruneContainers(w http.ResponseWriter, r *http.Request) error {
	args, err := queryFilters(r)
	if err != nil {
		return err
	}
	if err := args.Validate(pruneFilterKeys...); err != nil {
		return invalidf("%v", err)
	}
	now := time.Now()
	var until time.Time
	for _, v := range args["until"] {
		if until, err = parseTime(v, now); err != nil {
			return err
		}
	}
	list, err := s.host.List(r.Context(), engine.ListOptions{All: true, Filters: map[string][]string{
		"status": {string(engine.StatusCreated), string(engine.StatusExited), string(engine.StatusDead)},
		"label":  args["label"],
	}})
	if err != nil {
		return err
	}
	report := container.PruneReport{ContainersDeleted: []string{}}
	for _, c := range list {
		if !until.IsZero() && !c.Created.Before(until) || hasAnyLabel(c.Config.Labels, args["label!"]) {
			continue
		}
		size, err := s.host.Images().RootfsSize(c.ID)
		if err != nil {
			s.log.Info("measure container", "container", c.ID, "err", err)
		}
		if err := s.host.Remove(r.Context(), c.ID, engine.RemoveOptions{}); err != nil {
			s.log.Info("prune container", "container", c.ID, "err", err)
			continue
		}
		report.ContainersDeleted = append(report.ContainersDeleted, c.ID)
		report.SpaceReclaimed += uint64(max(size, 0))
	}
	return writeJSON(w, http.StatusOK, report)
}

// hasAnyLabel is docker's label! rule: labels has one of the KEY or
// KEY=VALUE conditions.
func hasAnyLabel(labels map[string]string, conditions []string) bool {
	for _, cond := range conditions {
		key, value, withValue := strings.Cut(cond, "=")
		if v, ok := labels[key]; ok && (!withValue || v == value) {
			return true
		}
	}
	return false
}

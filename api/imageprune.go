package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/image"

	"berth/host"
	"berth/images"
	filterArgs "berth/internal/filters"
)

// pruneImages is POST /images/prune: dangling=false prunes every unused
// image, not only untagged ones; until and label (label!) narrow it.
// Images a container uses stay.
func (s *Server) pruneImages(w http.ResponseWriter, r *http.Request) error {
	conds, err := queryFilters(r)
	if err != nil {
		return err
	}
	if err := conds.Validate("dangling", "label", "label!", "until"); err != nil {
		return kindError{err, errInvalidArgument}
	}
	dangling, set, err := conds.Bool("dangling")
	if err != nil {
		return kindError{err, errInvalidArgument}
	}
	all := set && !dangling
	keep, err := imagePruneKeep(conds, time.Now())
	if err != nil {
		return err
	}
	inUse, err := s.imageUsers(r.Context())
	if err != nil {
		return err
	}
	store := s.host.Images()
	var report *images.PruneReport
	if keep == nil {
		report, err = store.Prune(images.PruneOptions{All: all, InUse: inUse})
	} else {
		report, err = s.pruneImagesKeeping(all, inUse, keep)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, image.PruneReport{
		ImagesDeleted:  deleteResponses(report.Deleted),
		SpaceReclaimed: uint64(max(report.SpaceReclaimed, 0)),
	})
}

// imagePruneKeep is the until and label filters as the images they keep;
// nil when there are none.
func imagePruneKeep(conds filterArgs.Args, now time.Time) (func(*images.Image) bool, error) {
	if !conds.Contains("until") && !conds.Contains("label") && !conds.Contains("label!") {
		return nil, nil
	}
	var until time.Time
	for _, v := range conds["until"] {
		t, err := parseUntil(v, now)
		if err != nil {
			return nil, err
		}
		until = t
	}
	return func(img *images.Image) bool {
		if !until.IsZero() && !img.Created.Before(until) {
			return true
		}
		if !host.LabelsMatch(img.Config.Labels, conds["label"]) {
			return true
		}
		for _, l := range conds["label!"] {
			if host.LabelsMatch(img.Config.Labels, []string{l}) {
				return true
			}
		}
		return false
	}, nil
}

// parseUntil is docker's until: a duration before now ("10m"), a Unix
// time in seconds, or an RFC 3339 time.
func parseUntil(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Unix(0, int64(secs*float64(time.Second))), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalidf("invalid filter 'until=%s': not a duration, Unix time or RFC 3339 time", v)
}

// pruneImagesKeeping removes, one by one, the unused images (dangling
// ones unless all) that keep does not keep; the space reclaimed is what
// the store's disk usage went down by.
func (s *Server) pruneImagesKeeping(all bool, inUse func(string) (string, bool), keep func(*images.Image) bool) (*images.PruneReport, error) {
	store := s.host.Images()
	usedBefore, err := store.DiskUsage()
	if err != nil {
		return nil, err
	}
	inv, err := store.Inventory()
	if err != nil {
		return nil, err
	}
	report := &images.PruneReport{}
	for _, img := range host.ImageHeads(inv.Images) {
		if _, used := inUse(img.ID); used || !all && !img.Dangling() || keep(img) {
			continue
		}
		deleted, err := store.Remove(img.ID, images.RemoveOptions{Force: true, InUse: inUse})
		if err != nil {
			return nil, err
		}
		report.Deleted = append(report.Deleted, deleted...)
	}
	usedAfter, err := store.DiskUsage()
	if err != nil {
		return nil, err
	}
	report.SpaceReclaimed = usedBefore.LayersSize + usedBefore.BlobsSize - usedAfter.LayersSize - usedAfter.BlobsSize
	return report, nil
}

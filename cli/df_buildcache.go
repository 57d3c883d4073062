package cli

import (
	"fmt"
	"io"
	"strconv"
	"time"

	units "github.com/docker/go-units"

	"berth/images"
)

// dfBuildCacheRow is the "Build Cache" line of `system df`: SIZE is the
// layers the cached steps made, RECLAIMABLE what only the cache keeps
// (no image uses it). As docker's, RECLAIMABLE has no percentage and
// ACTIVE counts entries in use: a berth build holds none once it ended.
type dfBuildCacheRow struct {
	total             int
	size, reclaimable int64
}

func buildCacheRow(du *images.DiskUsage) dfBuildCacheRow {
	r := dfBuildCacheRow{total: du.BuildCacheEntries, reclaimable: du.BuildCacheSize}
	for _, u := range du.BuildCache {
		r.size += u.Size
	}
	return r
}

func (r dfBuildCacheRow) Type() string        { return "Build Cache" }
func (r dfBuildCacheRow) TotalCount() string  { return strconv.Itoa(r.total) }
func (r dfBuildCacheRow) Active() string      { return "0" }
func (r dfBuildCacheRow) Size() string        { return units.HumanSize(float64(r.size)) }
func (r dfBuildCacheRow) Reclaimable() string { return units.HumanSize(float64(r.reclaimable)) }

// MarshalJSON is {{json .}} and --format json, as docker.
func (r dfBuildCacheRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"Type": r.Type(), "TotalCount": r.TotalCount(), "Active": r.Active(), "Size": r.Size(), "Reclaimable": r.Reclaimable(),
	})
}

var buildCacheHeaders = map[string]string{
	"ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE", "CreatedSince": "CREATED",
	"LastUsedSince": "LAST USED", "UsageCount": "USAGE", "Shared": "SHARED",
}

// writeBuildCacheVerbose is the build cache part of `system df -v`, in
// docker's shape. berth does not record when a cached step was last
// reused: LAST USED is when it was made, USAGE the one build that made it.
func writeBuildCacheVerbose(w io.Writer, du *images.DiskUsage, now func() time.Time) error {
	fmt.Fprintf(w, "\nBuild cache usage: %s\n\n", units.HumanSize(float64(du.BuildCacheSize)))
	out, err := parseFormat("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}", "")
	if err != nil {
		return err
	}
	rows := make([]any, 0, len(du.BuildCache))
	for _, u := range du.BuildCache {
		rows = append(rows, dfBuildCacheEntry{u: u, now: now()})
	}
	return out.write(w, buildCacheHeaders, rows)
}

// dfBuildCacheEntry is one cached step in `system df -v`.
type dfBuildCacheEntry struct {
	u   images.BuildCacheUsage
	now time.Time
}

func (r dfBuildCacheEntry) ID() string        { return r.u.ID[:min(25, len(r.u.ID))] }
func (r dfBuildCacheEntry) CacheType() string { return "regular" }
func (r dfBuildCacheEntry) Size() string      { return units.HumanSize(float64(r.u.Size)) }
func (r dfBuildCacheEntry) CreatedSince() string {
	return units.HumanDuration(r.now.Sub(r.u.Created)) + " ago"
}
func (r dfBuildCacheEntry) LastUsedSince() string { return r.CreatedSince() }
func (r dfBuildCacheEntry) UsageCount() string    { return "1" }
func (r dfBuildCacheEntry) Shared() string        { return strconv.FormatBool(r.u.Shared) }

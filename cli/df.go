package cli

import (
	"fmt"
	"io"
	"strconv"
	"time"

	units "github.com/docker/go-units"

	"berth/engine"
	"berth/host"
	"berth/images"
)

var dfHeaders = map[string]string{
	"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE",
}

// dfRow is one line of `berth system df`.
type dfRow struct {
	kind              string
	total, active     int
	size, reclaimable int64
}

func (r dfRow) Type() string       { return r.kind }
func (r dfRow) TotalCount() string { return strconv.Itoa(r.total) }
func (r dfRow) Active() string     { return strconv.Itoa(r.active) }
func (r dfRow) Size() string       { return units.HumanSize(float64(r.size)) }

// Reclaimable is docker's "1.2MB (30%)".
func (r dfRow) Reclaimable() string {
	s := units.HumanSize(float64(r.reclaimable))
	if r.size > 0 {
		s += fmt.Sprintf(" (%d%%)", r.reclaimable*100/r.size)
	}
	return s
}

// MarshalJSON is {{json .}} and --format json, as docker.
func (r dfRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"Type": r.Type(), "TotalCount": r.TotalCount(), "Active": r.Active(), "Size": r.Size(), "Reclaimable": r.Reclaimable(),
	})
}

// diskUsageRows sums images (unpacked layers, each counted once) and
// containers' writable layers. Reclaimable is what removing the unused ones
// would free: the unique size of images no container uses, the layers of
// containers that are not running.
func diskUsageRows(du *images.DiskUsage, list []*engine.Container) []any {
	imgs := dfRow{kind: "Images", total: len(du.Images), size: du.LayersSize}
	for _, u := range du.Images {
		if u.Containers > 0 {
			imgs.active++
		} else {
			imgs.reclaimable += u.UniqueSize
		}
	}

	layer := map[string]int64{}
	for _, c := range du.Containers {
		layer[c.ID] = c.Size
	}
	ctrs := dfRow{kind: "Containers", total: len(list)}
	for _, c := range list {
		ctrs.size += layer[c.ID]
		switch c.State.Status {
		case engine.StatusRunning, engine.StatusPaused, engine.StatusRestarting:
			ctrs.active++
		default:
			ctrs.reclaimable += layer[c.ID]
		}
	}
	return []any{imgs, ctrs, dfRow{kind: "Local Volumes"}}
}

// writeDiskUsageVerbose is `system df -v`: one table per kind.
func writeDiskUsageVerbose(w io.Writer, du *images.DiskUsage, list []*engine.Container, now func() time.Time) error {
	fmt.Fprint(w, "\nImages space usage:\n\n")
	imgOut, err := parseFormat("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}", "")
	if err != nil {
		return err
	}
	var rows []any
	for _, u := range du.Images {
		tags := u.RepoTags
		if len(tags) == 0 {
			tags = []string{"<none>:<none>"}
		}
		for _, t := range tags {
			repo, tag := host.SplitRepoTag(t)
			rows = append(rows, dfImageRow{u: u, repo: repo, tag: tag})
		}
	}
	if err := imgOut.write(w, imagesHeaders, rows); err != nil {
		return err
	}

	fmt.Fprint(w, "\nContainers space usage:\n\n")
	ctrOut, err := parseFormat("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}", "")
	if err != nil {
		return err
	}
	sizes := map[string]int64{}
	for _, c := range du.Containers {
		sizes[c.ID] = c.Size
	}
	rows = rows[:0]
	for _, c := range list {
		rows = append(rows, dfContainerRow{psRow{c: c, trunc: true, now: now(), size: containerSize{known: true, rw: sizes[c.ID]}}})
	}
	if err := ctrOut.write(w, psHeaders, rows); err != nil {
		return err
	}
	return nil
}

// dfImageRow is an image in `system df -v`.
type dfImageRow struct {
	u         images.ImageUsage
	repo, tag string
}

func (r dfImageRow) Repository() string { return r.repo }
func (r dfImageRow) Tag() string        { return r.tag }
func (r dfImageRow) ID() string         { return truncateID(r.u.ID) }
func (r dfImageRow) Size() string       { return humanSize(r.u.Size) }
func (r dfImageRow) SharedSize() string { return humanSize(r.u.SharedSize) }
func (r dfImageRow) UniqueSize() string { return humanSize(r.u.UniqueSize) }
func (r dfImageRow) Containers() string { return strconv.Itoa(r.u.Containers) }

// dfContainerRow is a container in `system df -v`: SIZE is its layer.
type dfContainerRow struct{ psRow }

func (r dfContainerRow) Size() string { return humanSize(r.size.rw) }

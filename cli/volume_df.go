package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"berth/engine"
	"berth/engine/volumes"
	"berth/host"
)

// volumeUsage is one volume in `system df`: its size and how many
// containers use it.
type volumeUsage struct {
	name  string
	links int
	size  int64
}

func (u volumeUsage) VolumeName() string { return u.name }
func (u volumeUsage) Links() string      { return strconv.Itoa(u.links) }
func (u volumeUsage) Size() string       { return humanSize(u.size) }

// volumeUsages measures every volume.
func volumeUsages(ctx context.Context, vols host.Volumes) ([]volumeUsage, error) {
	list, err := vols.List(ctx)
	if err != nil {
		return nil, err
	}
	users, err := vols.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]volumeUsage, 0, len(list))
	for _, v := range list {
		size, err := volumes.Size(v)
		if err != nil {
			return nil, err
		}
		out = append(out, volumeUsage{name: v.Name, links: len(users[v.Name]), size: size})
	}
	return out, nil
}

// withVolumes fills the "Local Volumes" row of df's rows: the volumes in
// use are active, the others' content reclaimable.
func withVolumes(rows []any, usage []volumeUsage) []any {
	r := dfRow{kind: "Local Volumes", total: len(usage)}
	for _, u := range usage {
		r.size += u.size
		if u.links > 0 {
			r.active++
		} else {
			r.reclaimable += u.size
		}
	}
	for i, row := range rows {
		if d, ok := row.(dfRow); ok && d.kind == r.kind {
			rows[i] = r
		}
	}
	return rows
}

// writeVolumesVerbose is `system df -v`'s volume table.
func writeVolumesVerbose(w io.Writer, usage []volumeUsage) error {
	fmt.Fprint(w, "\nLocal Volumes space usage:\n\n")
	out, err := parseFormat("table {{.VolumeName}}\t{{.Links}}\t{{.Size}}", "")
	if err != nil {
		return err
	}
	rows := make([]any, 0, len(usage))
	for _, u := range usage {
		rows = append(rows, u)
	}
	return out.write(w, map[string]string{"VolumeName": "VOLUME NAME", "Links": "LINKS", "Size": "SIZE"}, rows)
}

// pruneSystemVolumes is `system prune --volumes`: the anonymous volumes
// (all unused ones with --all), as Docker 23 and later.
func (a *app) pruneSystemVolumes(ctx context.Context, all bool) ([]string, int64, error) {
	vols, err := a.volumes()
	if err != nil {
		return nil, 0, err
	}
	return vols.Prune(ctx, engine.PruneOptions{All: all})
}

package cli

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host"
	"berth/internal/filters"
)

const psDefaultTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

// psHeaders are the column titles of ps's placeholders.
var psHeaders = map[string]string{
	"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
	"RunningFor": "CREATED", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES",
	"Size": "SIZE", "Labels": "LABELS", "State": "STATE", "Mounts": "MOUNTS",
	"Networks": "NETWORKS", "LocalVolumes": "LOCAL VOLUMES",
}

type psFlags struct {
	all, quiet, latest, size, noTrunc bool
	last                              int
	filters                           []string
	format                            string
}

func (a *app) psCommand() *cobra.Command {
	var f psFlags
	cmd := newCommand("ps [OPTIONS]", "List containers", noArgs, func(cmd *cobra.Command, args []string) error {
		return a.ps(cmd, &f)
	})
	flags := cmd.Flags()
	flags.BoolVarP(&f.all, "all", "a", false, "show all containers (default shows just running)")
	flags.BoolVarP(&f.quiet, "quiet", "q", false, "only display container IDs")
	flags.BoolVarP(&f.latest, "latest", "l", false, "show the latest created container (includes all states)")
	flags.IntVarP(&f.last, "last", "n", -1, "show n last created containers (includes all states)")
	flags.BoolVarP(&f.size, "size", "s", false, "display total file sizes")
	flags.BoolVar(&f.noTrunc, "no-trunc", false, "don't truncate output")
	flags.StringArrayVarP(&f.filters, "filter", "f", nil, "filter output based on conditions provided: id, name, label, status, exited, ancestor, before, since, health, volume, network, publish, expose, isolation, is-task")
	flags.StringVar(&f.format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.ID}}, {{.Names}}…)")
	return cmd
}

func (a *app) ps(cmd *cobra.Command, f *psFlags) error {
	args, err := filters.Parse(f.filters)
	if err != nil {
		return usageError(cmd.CommandPath(), err)
	}
	if err := engine.ValidateListFilters(args); err != nil {
		return err // docker's daemon refuses these: exit 1
	}
	format := f.format
	if f.quiet {
		format = "{{.ID}}"
	} else if f.size && (format == "" || format == "table") {
		format = psDefaultTable + "\t{{.Size}}"
	}
	out, err := parseFormat(format, psDefaultTable)
	if err != nil {
		return usageError(cmd.CommandPath(), err)
	}
	size := f.size
	if !size && !f.quiet && f.format != "" && !cmd.Flags().Changed("size") {
		if size, err = templateUsesSize(out); err != nil {
			return err
		}
	}
	eng, err := a.engine()
	if err != nil {
		return err
	}
	last := f.last
	if f.latest {
		last = 1
	}
	list, err := eng.List(cmd.Context(), engine.ListOptions{All: f.all || last > 0, Filters: args, Size: size, Brief: true})
	if err != nil {
		return err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	if last > 0 && len(list) > last {
		list = list[:last]
	}
	var sizes map[string]containerSize
	if size {
		if sizes, err = a.containerSizes(list); err != nil {
			return err
		}
	}
	now := a.sys.now()
	rows := make([]any, len(list))
	for i, c := range list {
		rows[i] = psRow{c: c, trunc: !f.noTrunc, now: now, size: sizes[c.ID]}
	}
	return out.write(a.stdout, psHeaders, rows)
}

// containerSize is ps -s's SIZE: the writable layer, and it plus the image.
type containerSize struct {
	known       bool
	rw, virtual int64
}

// containerSizes measures each container's writable layer in the image
// store. A container whose layer cannot be measured shows "N/A".
func (a *app) containerSizes(list []*engine.Container) (map[string]containerSize, error) {
	store, err := a.images()
	if err != nil {
		return nil, err
	}
	imgs, err := store.List()
	if err != nil {
		return nil, err
	}
	imageSize := map[string]int64{}
	for _, img := range imgs {
		imageSize[img.ID] = img.Size
	}
	sizes := map[string]containerSize{}
	for _, c := range list {
		rw, err := store.RootfsSize(c.ID)
		if err != nil {
			continue
		}
		sizes[c.ID] = containerSize{known: true, rw: rw, virtual: rw + imageSize[strings.TrimPrefix(c.Image, "sha256:")]}
	}
	return sizes, nil
}

// psRow is one container as ps's placeholders see it.
type psRow struct {
	c     *engine.Container
	trunc bool
	now   time.Time
	size  containerSize
	// sizeAsked, when set, records that the template asked for .Size.
	sizeAsked *bool
}

func (r psRow) ID() string {
	if r.trunc {
		return truncateID(r.c.ID)
	}
	return r.c.ID
}

func (r psRow) Image() string {
	img := r.c.Config.Image
	if img == "" {
		img = r.c.Image
	}
	if r.trunc && strings.HasPrefix(img, "sha256:") {
		return truncateID(img)
	}
	return img
}

// Command is docker's COMMAND: the path and its arguments, an argument
// with a space in single quotes ("sh -c 'sleep 1000'"), the whole quoted.
func (r psRow) Command() string {
	cmd := host.CommandLine(r.c.Path, r.c.Args)
	if r.trunc {
		cmd = ellipsis(cmd, 20)
	}
	return strconv.Quote(cmd)
}

func (r psRow) CreatedAt() string { return r.c.Created.Format("2006-01-02 15:04:05 -0700 MST") }

func (r psRow) RunningFor() string { return ago(r.now, r.c.Created) }

func (r psRow) Status() string { return host.StatusText(&r.c.State, r.now) }

func (r psRow) State() string { return string(r.c.State.Status) }

func (r psRow) Ports() string { return host.PortsText(r.c) }

func (r psRow) Names() string { return r.c.DisplayName() }

// Size is docker's "2B (virtual 4.26MB)"; "N/A" without ps -s.
func (r psRow) Size() string {
	if r.sizeAsked != nil {
		*r.sizeAsked = true
	}
	if !r.size.known {
		return "N/A"
	}
	return humanSize(r.size.rw) + " (virtual " + humanSize(r.size.virtual) + ")"
}

func (r psRow) Labels() string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(r.c.Config.Labels)) {
		out = append(out, k+"="+r.c.Config.Labels[k])
	}
	return strings.Join(out, ",")
}

// Label is {{.Label "key"}}: one label's value.
func (r psRow) Label(key string) string { return r.c.Config.Labels[key] }

func (r psRow) Mounts() string {
	var out []string
	for _, m := range r.c.Mounts {
		src := m.Name // a volume's name, a bind's source, as docker
		if src == "" {
			src = m.Source
		}
		if r.trunc {
			src = ellipsis(src, 15)
		}
		out = append(out, src)
	}
	return strings.Join(out, ",")
}

func (r psRow) Networks() string { return r.c.HostConfig.NetworkMode }

// LocalVolumes is the number of the container's volumes.
func (r psRow) LocalVolumes() string {
	n := 0
	for _, m := range r.c.Mounts {
		if m.Driver == "local" {
			n++
		}
	}
	return strconv.Itoa(n)
}

// MarshalJSON is {{json .}} and --format json: every placeholder, as docker.
func (r psRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"ID": r.ID(), "Image": r.Image(), "Command": r.Command(), "CreatedAt": r.CreatedAt(),
		"RunningFor": r.RunningFor(), "Status": r.Status(), "State": r.State(), "Ports": r.Ports(),
		"Names": r.Names(), "Size": r.Size(), "Labels": r.Labels(), "Mounts": r.Mounts(),
		"Networks": r.Networks(), "LocalVolumes": r.LocalVolumes(),
	})
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/engine/volumes"
	"berth/host"
	"berth/host/runopts"
)

// volumes opens the engine and returns its volumes.
func (a *app) volumes() (host.Volumes, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	return eng.Volumes(), nil
}

func (a *app) volumeCommand() *cobra.Command {
	cmd := groupCommand("volume COMMAND", "Manage volumes")
	cmd.AddCommand(a.volumeCreateCommand(), a.volumeLsCommand(), a.volumeInspectCommand(),
		a.volumeRmCommand(), a.volumePruneCommand())
	return cmd
}

func (a *app) volumeCreateCommand() *cobra.Command {
	var name, driver string
	var opts, labels []string
	cmd := newCommand("create [OPTIONS] [VOLUME]", "Create a volume", nil, nil)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires at most 1 argument", cmd.CommandPath()))
		}
		return nil
	}
	cmd.Long = "Create a volume of the local driver: a directory under the data root, or with\n" +
		"-o type=tmpfs,device=tmpfs or -o type=none,o=bind,device=/path a filesystem\n" +
		"mounted there the first time a container starts with it. Without a name it\n" +
		"gets a random one."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			if name != "" && name != args[0] {
				return usageError(cmd.CommandPath(), errors.New("conflicting options: either specify --name or provide positional arg, not both"))
			}
			name = args[0]
		}
		create := volumes.CreateOptions{Name: name, Driver: driver, Options: map[string]string{}}
		for _, o := range opts {
			k, v, ok := strings.Cut(o, "=")
			if !ok {
				return usageError(cmd.CommandPath(), fmt.Errorf("invalid argument %q for \"-o, --opt\" flag: expected KEY=VALUE", o))
			}
			create.Options[k] = v
		}
		var err error
		if create.Labels, err = runopts.ParseLabels(labels); err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		if create.Labels == nil {
			create.Labels = map[string]string{}
		}
		vols, err := a.volumes()
		if err != nil {
			return err
		}
		v, err := vols.Create(cmd.Context(), create)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.stdout, v.Name)
		return err
	}
	flags := cmd.Flags()
	flags.StringVarP(&driver, "driver", "d", "local", "specify volume driver name")
	flags.StringVar(&name, "name", "", "specify volume name")
	flags.Lookup("name").Hidden = true
	flags.StringArrayVarP(&opts, "opt", "o", nil, "set driver specific options: type=, device=, o=")
	flags.StringArrayVar(&labels, "label", nil, "set metadata for a volume")
	return cmd
}

const volumeDefaultTable = "table {{.Driver}}\t{{.Name}}"

var volumeHeaders = map[string]string{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
	"Labels": "LABELS", "Links": "LINKS", "Size": "SIZE", "CreatedAt": "CREATED AT",
}

func (a *app) volumeLsCommand() *cobra.Command {
	var quiet bool
	var filters []string
	var format string
	cmd := newCommand("ls [OPTIONS]", "List volumes", noArgs, nil)
	cmd.Aliases = []string{"list"}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		match, err := parseVolumeFilters(filters)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		if quiet {
			format = "{{.Name}}"
		}
		out, err := parseFormat(format, volumeDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		vols, err := a.volumes()
		if err != nil {
			return err
		}
		list, err := vols.List(cmd.Context())
		if err != nil {
			return err
		}
		users, err := vols.Users(cmd.Context())
		if err != nil {
			return err
		}
		var rows []any
		for _, v := range list {
			if match(v, len(users[v.Name])) {
				rows = append(rows, volumeRow{v: v})
			}
		}
		return out.write(a.stdout, volumeHeaders, rows)
	}
	flags := cmd.Flags()
	flags.BoolVarP(&quiet, "quiet", "q", false, "only display volume names")
	flags.StringArrayVarP(&filters, "filter", "f", nil, "provide filter values: dangling=true|false, name=, label=KEY[=VALUE], driver=")
	flags.StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.Name}}, {{.Mountpoint}}…)")
	return cmd
}

// parseVolumeFilters turns -f key=value into a predicate of a volume and
// the number of containers using it, with docker's keys: dangling, name
// (a substring), label (label=KEY[=VALUE], label!=…), driver. Values of
// one key are alternatives; every key must hold.
func parseVolumeFilters(values []string) (func(v *engine.Volume, users int) bool, error) {
	byKey := map[string][]string{}
	for _, f := range values {
		key, value, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("bad format of filter (expected name=value): %s", f)
		}
		if strings.HasSuffix(key, "!") {
			key = strings.TrimSuffix(key, "!")
			if key != "label" {
				return nil, fmt.Errorf("invalid filter '%s!'", key)
			}
			key = "label!"
		}
		switch key {
		case "dangling":
			switch strings.ToLower(value) {
			case "true", "1", "false", "0":
			default:
				return nil, fmt.Errorf("invalid filter 'dangling=%s'", value)
			}
		case "name", "label", "label!", "driver":
		default:
			return nil, fmt.Errorf("invalid filter '%s'", key)
		}
		byKey[key] = append(byKey[key], value)
	}
	return func(v *engine.Volume, users int) bool {
		for key, vals := range byKey {
			if key == "label!" {
				for _, want := range vals {
					if host.LabelsMatch(v.Labels, []string{want}) {
						return false
					}
				}
				continue
			}
			if !slices.ContainsFunc(vals, func(want string) bool {
				switch key {
				case "dangling":
					dangling := want == "1" || strings.EqualFold(want, "true")
					return (users == 0) == dangling
				case "name":
					return strings.Contains(v.Name, want)
				case "driver":
					return v.Driver == want
				default: // label
					return host.LabelsMatch(v.Labels, []string{want})
				}
			}) {
				return false
			}
		}
		return true
	}, nil
}

// volumeRow is one volume as ls's placeholders see it.
type volumeRow struct{ v *engine.Volume }

func (r volumeRow) Name() string       { return r.v.Name }
func (r volumeRow) Driver() string     { return r.v.Driver }
func (r volumeRow) Scope() string      { return r.v.Scope }
func (r volumeRow) Mountpoint() string { return r.v.Mountpoint }
func (r volumeRow) CreatedAt() string  { return r.v.CreatedAt }
func (r volumeRow) Links() string      { return "N/A" }
func (r volumeRow) Size() string       { return "N/A" }

// Label is {{.Label "key"}}: one label's value.
func (r volumeRow) Label(key string) string { return r.v.Labels[key] }

func (r volumeRow) Labels() string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(r.v.Labels)) {
		out = append(out, k+"="+r.v.Labels[k])
	}
	return strings.Join(out, ",")
}

// MarshalJSON is {{json .}} and --format json, as docker.
func (r volumeRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"Availability": "N/A", "Driver": r.Driver(), "Group": "N/A", "Labels": r.Labels(), "Links": r.Links(),
		"Mountpoint": r.Mountpoint(), "Name": r.Name(), "Scope": r.Scope(), "Size": r.Size(), "Status": "N/A",
	})
}

func (a *app) volumeInspectCommand() *cobra.Command {
	var format string
	cmd := newCommand("inspect [OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		vols, err := a.volumes()
		if err != nil {
			return err
		}
		return a.writeInspect(format, args, func(name string) (any, error) {
			v, err := vols.Inspect(cmd.Context(), name)
			if err != nil {
				return nil, fmt.Errorf("No such volume: %s", name) //nolint:staticcheck // docker's message, capitalised
			}
			return v, nil
		})
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output using a Go template ({{.Mountpoint}}…)")
	return cmd
}

// inspectVolume is inspect's volume: `berth inspect NAME` finds volumes
// too, as docker's.
func (a *app) inspectVolume(cmd *cobra.Command, name string) (*engine.Volume, error) {
	vols, err := a.volumes()
	if err != nil {
		return nil, err
	}
	return vols.Inspect(cmd.Context(), name)
}

func (a *app) volumeRmCommand() *cobra.Command {
	var force bool
	cmd := newCommand("rm [OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes", minArgs(1), func(cmd *cobra.Command, args []string) error {
		vols, err := a.volumes()
		if err != nil {
			return err
		}
		return a.forEach(args, func(name string) error { return vols.Remove(cmd.Context(), name, force) })
	})
	cmd.Long = "Remove one or more volumes. A volume a container uses (running or not) cannot\n" +
		"be removed; -f only makes a volume that does not exist no error."
	cmd.Aliases = []string{"remove"}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not fail on a volume that does not exist")
	return cmd
}

func (a *app) volumePruneCommand() *cobra.Command {
	var force, all bool
	var filters []string
	cmd := newCommand("prune [OPTIONS]", "Remove unused local volumes", noArgs, func(cmd *cobra.Command, args []string) error {
		keep, err := parsePruneVolumeFilters(filters)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		warning := "WARNING! This will remove anonymous local volumes not used by at least one container."
		if all {
			warning = "WARNING! This will remove all local volumes not used by at least one container."
		}
		if !force && !a.confirm(warning) {
			return nil
		}
		removed, reclaimed, err := a.pruneVolumes(cmd, all, keep)
		if err != nil {
			return err
		}
		writeDeletedVolumes(a.stdout, removed)
		fmt.Fprintln(a.stdout, "Total reclaimed space:", humanSize(reclaimed))
		return nil
	})
	cmd.Long = "Remove the volumes no container uses: only anonymous ones (an image's VOLUME,\n" +
		"-v /path) unless --all, as Docker 23 and later."
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused volumes, not just anonymous ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "provide filter values: label=KEY[=VALUE], label!=KEY[=VALUE]")
	return cmd
}

// parsePruneVolumeFilters is prune's --filter: label=… keeps the volumes
// without the label, label!=… those with it; nil keeps none.
func parsePruneVolumeFilters(values []string) (func(*engine.Volume) bool, error) {
	if len(values) == 0 {
		return nil, nil
	}
	for _, f := range values {
		if key, _, _ := strings.Cut(f, "="); key != "label" && key != "label!" {
			return nil, fmt.Errorf("invalid filter '%s'", key)
		}
	}
	match, err := parseVolumeFilters(values)
	if err != nil {
		return nil, err
	}
	return func(v *engine.Volume) bool { return !match(v, 0) }, nil
}

// pruneVolumes removes the unused volumes (anonymous ones, or all).
func (a *app) pruneVolumes(cmd *cobra.Command, all bool, keep func(*engine.Volume) bool) ([]string, int64, error) {
	vols, err := a.volumes()
	if err != nil {
		return nil, 0, err
	}
	return vols.Prune(cmd.Context(), engine.PruneOptions{All: all, Keep: keep})
}

// writeDeletedVolumes is prune's list, as docker prints it.
func writeDeletedVolumes(w io.Writer, names []string) {
	if len(names) == 0 {
		return
	}
	fmt.Fprintln(w, "Deleted Volumes:")
	for _, n := range names {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w)
}

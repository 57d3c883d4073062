package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"berth/engine/network"
	"berth/host"
	"berth/host/runopts"
	filterArgs "berth/internal/filters"
)

// networks opens the engine and returns its networks.
func (a *app) networks() (host.Networks, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	return eng.Networks(), nil
}

func (a *app) networkCommand() *cobra.Command {
	cmd := groupCommand("network COMMAND", "Manage networks")
	cmd.AddCommand(a.networkLsCommand(), a.networkInspectCommand(), a.networkCreateCommand(),
		a.networkRmCommand(), a.networkPruneCommand(), a.networkConnectCommand(), a.networkDisconnectCommand())
	return cmd
}

const networkDefaultTable = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

var networkHeaders = map[string]string{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE",
	"Subnet": "SUBNET", "Gateway": "GATEWAY", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
}

func (a *app) networkLsCommand() *cobra.Command {
	var quiet, noTrunc bool
	var filters []string
	var format string
	cmd := newCommand("ls [OPTIONS]", "List networks", noArgs, nil)
	cmd.Aliases = []string{"list"}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conds, err := filterArgs.Parse(filters)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		match, err := host.NetworkFilter(conds)
		if err != nil {
			return err // docker's daemon refuses these: exit 1
		}
		if quiet {
			format = "{{.ID}}"
		}
		out, err := parseFormat(format, networkDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		nets, err := a.networks()
		if err != nil {
			return err
		}
		list, err := nets.List()
		if err != nil {
			return err
		}
		slices.SortFunc(list, func(x, y *network.Network) int { return strings.Compare(x.Name, y.Name) })
		var rows []any
		for _, n := range list {
			if match(n) {
				rows = append(rows, networkRow{n: n, trunc: !noTrunc})
			}
		}
		return out.write(a.stdout, networkHeaders, rows)
	}
	flags := cmd.Flags()
	flags.BoolVarP(&quiet, "quiet", "q", false, "only display network IDs")
	flags.BoolVar(&noTrunc, "no-trunc", false, "do not truncate the output")
	flags.StringArrayVarP(&filters, "filter", "f", nil, "provide filter values: name=, id=, driver=, label=, scope=, type=custom|builtin, dangling=true|false")
	flags.StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.Name}}, {{.Subnet}}…)")
	return cmd
}

// networkRow is one network as ls's placeholders see it.
type networkRow struct {
	n     *network.Network
	trunc bool
}

func (r networkRow) ID() string {
	if r.trunc {
		return truncateID(r.n.ID)
	}
	return r.n.ID
}

func (r networkRow) Name() string     { return r.n.Name }
func (r networkRow) Driver() string   { return r.n.Driver }
func (r networkRow) Scope() string    { return r.n.Scope }
func (r networkRow) Internal() string { return fmt.Sprint(r.n.Internal) }
func (r networkRow) CreatedAt() string {
	return r.n.Created.Format("2006-01-02 15:04:05.999999999 -0700 MST")
}

func (r networkRow) Subnet() string {
	if len(r.n.IPAM.Config) == 0 {
		return ""
	}
	return r.n.IPAM.Config[0].Subnet
}

func (r networkRow) Gateway() string {
	if len(r.n.IPAM.Config) == 0 {
		return ""
	}
	return r.n.IPAM.Config[0].Gateway
}

func (r networkRow) Labels() string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(r.n.Labels)) {
		out = append(out, k+"="+r.n.Labels[k])
	}
	return strings.Join(out, ",")
}

// MarshalJSON is {{json .}} and --format json, as docker.
func (r networkRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"ID": r.ID(), "Name": r.Name(), "Driver": r.Driver(), "Scope": r.Scope(), "Internal": r.Internal(),
		"CreatedAt": r.CreatedAt(), "Labels": r.Labels(), "IPv6": fmt.Sprint(r.n.EnableIPv6),
	})
}

func (a *app) networkInspectCommand() *cobra.Command {
	var format string
	cmd := newCommand("inspect [OPTIONS] NETWORK [NETWORK...]", "Display detailed information on one or more networks", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		nets, err := a.networks()
		if err != nil {
			return err
		}
		return a.writeInspect(format, args, func(ref string) (any, error) { return nets.Inspect(ref) })
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output using a Go template ({{.IPAM.Config}}…)")
	return cmd
}

func (a *app) networkCreateCommand() *cobra.Command {
	var driver, subnet, gateway string
	var internal bool
	var labels, opts []string
	cmd := newCommand("create [OPTIONS] NETWORK", "Create a network", exactArgs(1), nil)
	cmd.Long = "Create a bridge network. Containers on it find each other by name. Without\n" +
		"--subnet it takes a free /24 from default-address-pools of the settings file."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if driver != "bridge" {
			return usageError(cmd.CommandPath(), fmt.Errorf("network driver %q is not supported: berth has bridge networks", driver))
		}
		create := network.CreateOptions{Name: args[0], Subnet: subnet, Gateway: gateway, Internal: internal}
		var err error
		if create.Labels, err = runopts.ParseLabels(labels); err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		for _, o := range opts {
			k, v, ok := strings.Cut(o, "=")
			if !ok || k != network.BridgeNameOption {
				return usageError(cmd.CommandPath(), fmt.Errorf("invalid option %q: berth takes %s=NAME", o, network.BridgeNameOption))
			}
			create.Bridge = v
		}
		nets, err := a.networks()
		if err != nil {
			return err
		}
		n, err := nets.Create(create)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.stdout, n.ID)
		return err
	}
	flags := cmd.Flags()
	flags.StringVarP(&driver, "driver", "d", "bridge", "driver to manage the network")
	flags.StringVar(&subnet, "subnet", "", "subnet in CIDR format, e.g. 10.205.0.0/24")
	flags.StringVar(&gateway, "gateway", "", "IPv4 gateway for the subnet (default: its first address)")
	flags.BoolVar(&internal, "internal", false, "restrict external access to the network")
	flags.StringArrayVar(&labels, "label", nil, "set metadata on a network")
	flags.StringArrayVarP(&opts, "opt", "o", nil, "set driver specific options: "+network.BridgeNameOption+"=NAME")
	return cmd
}

func (a *app) networkRmCommand() *cobra.Command {
	cmd := newCommand("rm NETWORK [NETWORK...]", "Remove one or more networks", minArgs(1), func(cmd *cobra.Command, args []string) error {
		nets, err := a.networks()
		if err != nil {
			return err
		}
		return a.forEach(args, nets.Remove)
	})
	cmd.Aliases = []string{"remove"}
	return cmd
}

func (a *app) networkPruneCommand() *cobra.Command {
	var force bool
	cmd := newCommand("prune [OPTIONS]", "Remove all unused networks", noArgs, func(cmd *cobra.Command, args []string) error {
		if !force && !a.confirm("WARNING! This will remove all custom networks not used by at least one container.") {
			return nil
		}
		nets, err := a.networks()
		if err != nil {
			return err
		}
		removed, err := nets.Prune()
		if err != nil {
			return err
		}
		if len(removed) > 0 {
			fmt.Fprintln(a.stdout, "Deleted Networks:")
			for _, n := range removed {
				fmt.Fprintln(a.stdout, n)
			}
		}
		return nil
	})
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func (a *app) portCommand() *cobra.Command {
	cmd := newCommand("port CONTAINER [PRIVATE_PORT[/PROTO]]", "List port mappings or a specific mapping for the container", nil, nil)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) < 1 || len(args) > 2 {
			return usageError(cmd.CommandPath(), fmt.Errorf("%q requires 1 or 2 arguments", cmd.CommandPath()))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		c, err := eng.Inspect(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		var ports map[string][]network.PortBinding
		if c.NetworkSettings != nil {
			ports = c.NetworkSettings.Ports
		}
		if len(args) == 2 {
			want := args[1]
			if !strings.Contains(want, "/") {
				want += "/tcp"
			}
			bs := ports[want]
			if len(bs) == 0 {
				return fmt.Errorf("no public port '%s' published for %s", want, args[0])
			}
			for _, b := range bs {
				fmt.Fprintln(a.stdout, host.HostAddress(b.HostIP, b.HostPort))
			}
			return nil
		}
		for _, p := range slices.Sorted(maps.Keys(ports)) {
			for _, b := range ports[p] {
				fmt.Fprintf(a.stdout, "%s -> %s\n", p, host.HostAddress(b.HostIP, b.HostPort))
			}
		}
		return nil
	}
	return cmd
}

package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host"
)

// connector is the engine as a host.NetworkConnector.
func (a *app) connector() (host.NetworkConnector, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	nc, ok := eng.(host.NetworkConnector)
	if !ok {
		return nil, errors.New("this engine cannot connect containers to networks")
	}
	return nc, nil
}

func (a *app) networkConnectCommand() *cobra.Command {
	var opts engine.ConnectOptions
	cmd := newCommand("connect [OPTIONS] NETWORK CONTAINER", "Connect a container to a network", exactArgs(2), func(cmd *cobra.Command, args []string) error {
		nc, err := a.connector()
		if err != nil {
			return err
		}
		return nc.ConnectNetwork(args[0], args[1], opts)
	})
	cmd.Long = "Connect a container to a network. A running container gets a new interface\n" +
		"now; any container joins the network at each start until it is disconnected."
	cmd.Flags().StringArrayVar(&opts.Aliases, "alias", nil, "add network-scoped alias for the container")
	cmd.Flags().StringVar(&opts.IP, "ip", "", "IPv4 address (e.g. 10.204.0.10)")
	return cmd
}

func (a *app) networkDisconnectCommand() *cobra.Command {
	var force bool
	cmd := newCommand("disconnect [OPTIONS] NETWORK CONTAINER", "Disconnect a container from a network", exactArgs(2), func(cmd *cobra.Command, args []string) error {
		nc, err := a.connector()
		if err != nil {
			return err
		}
		return nc.DisconnectNetwork(args[0], args[1], force)
	})
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the container to disconnect from a network")
	return cmd
}

package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"berth/compose"
)

func (a *app) composeKillCommand(f *composeFlags) *cobra.Command {
	var o compose.KillOptions
	cmd := newCommand("kill [OPTIONS] [SERVICE...]", "Force stop service containers", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		name, p, err := a.composeName(ctx, f)
		if err != nil {
			return err
		}
		h, err := a.composeHost()
		if err != nil {
			return err
		}
		o.Project, o.Services, o.Progress = p, args, a.stderr
		err = compose.Kill(ctx, h, name, o)
		if errors.Is(err, compose.ErrNoContainers) {
			fmt.Fprintln(a.stderr, "No container to kill")
			return nil
		}
		return composeError(err)
	}
	flags := cmd.Flags()
	flags.StringVarP(&o.Signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	flags.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "remove containers for services not defined in the compose file")
	return cmd
}

func (a *app) composePauseCommand(f *composeFlags) *cobra.Command {
	cmd := newCommand("pause [SERVICE...]", "Pause services", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		return composeError(compose.Pause(cmd.Context(), h, name, args, a.stderr))
	}
	return cmd
}

func (a *app) composeUnpauseCommand(f *composeFlags) *cobra.Command {
	cmd := newCommand("unpause [SERVICE...]", "Unpause services", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		return composeError(compose.Unpause(cmd.Context(), h, name, args, a.stderr))
	}
	return cmd
}

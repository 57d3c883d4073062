package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"berth/compose"
)

func (a *app) composeRmCommand(f *composeFlags) *cobra.Command {
	var force, stop, volumes bool
	cmd := newCommand("rm [OPTIONS] [SERVICE...]", "Removes stopped service containers", nil, nil)
	cmd.Long = "Removes stopped service containers.\n\n" +
		"By default, anonymous volumes attached to containers are not removed. You can\n" +
		"override this with -v. Any data which is not in a volume is lost."
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
		if stop {
			if err := compose.Stop(ctx, h, name, args, nil, a.stderr); err != nil {
				return composeError(err)
			}
		}
		list, err := compose.Removable(ctx, h, name, args, p)
		if err != nil {
			return composeError(err)
		}
		if len(list) == 0 {
			fmt.Fprintln(a.stderr, "No stopped containers")
			return nil
		}
		names := make([]string, len(list))
		for i, c := range list {
			names[i] = c.DisplayName()
		}
		msg := "Going to remove " + strings.Join(names, ", ")
		if force {
			fmt.Fprintln(a.stdout, msg)
		} else if !a.ask(msg + "\nAre you sure? [yN] ") {
			return nil
		}
		return composeError(compose.Remove(ctx, h, list, volumes, a.stderr))
	}
	flags := cmd.Flags()
	flags.BoolVarP(&force, "force", "f", false, "don't ask to confirm removal")
	flags.BoolVarP(&stop, "stop", "s", false, "stop the containers, if required, before removing")
	flags.BoolVarP(&volumes, "volumes", "v", false, "remove any anonymous volumes attached to containers")
	flags.BoolP("all", "a", false, "deprecated - no effect")
	_ = flags.MarkHidden("all")
	return cmd
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// containerCommand is docker's management form, `berth container ls` and
// the like: the same commands under one group.
func (a *app) containerCommand() *cobra.Command {
	cmd := groupCommand("container COMMAND", "Manage containers")
	ls := a.psCommand()
	ls.Use, ls.Aliases = "ls [OPTIONS]", []string{"ps", "list"}
	cmd.AddCommand(
		a.runCommand(), a.createCommand(), a.startCommand(), a.attachCommand(),
		a.execCommand(), a.stopCommand(), a.restartCommand(), a.killCommand(),
		a.pauseCommand(), a.unpauseCommand(), a.waitCommand(),
		a.rmCommand(), a.renameCommand(), ls, a.logsCommand(),
		a.inspectCommand("container"), a.topCommand(), a.statsCommand(),
		a.containerPruneCommand(), a.portCommand(),
		a.cpCommand(), a.diffCommand(), a.commitCommand(), a.exportCommand(), a.updateCommand(),
	)
	return cmd
}

// imageCommand is `berth image ls`, `image rm` and the like.
func (a *app) imageCommand() *cobra.Command {
	cmd := groupCommand("image COMMAND", "Manage images")
	ls := a.imagesCommand()
	ls.Use, ls.Aliases = "ls [OPTIONS] [REPOSITORY[:TAG]]", []string{"list"}
	rm := a.rmiCommand()
	rm.Use = "rm [OPTIONS] IMAGE [IMAGE...]"
	cmd.AddCommand(ls, rm, a.importCommand(), a.tagCommand(), a.inspectCommand("image"),
		a.historyCommand(), a.saveCommand(), a.loadCommand(), a.imagePruneCommand(),
		a.pullCommand(), a.pushCommand(), a.buildCommand(), a.imageLayersCommand())
	return cmd
}

// systemCommand is `berth system df|prune|info|events|check|boot|service`.
func (a *app) systemCommand() *cobra.Command {
	cmd := groupCommand("system COMMAND", "Manage berth")
	cmd.AddCommand(a.systemDfCommand(), a.systemPruneCommand(), a.infoCommand(), a.eventsCommand(),
		a.systemCheckCommand(), a.systemBootCommand(), a.systemServiceCommand(),
		a.systemDialStdioCommand())
	return cmd
}

// groupCommand is a command that only holds subcommands: alone it prints
// its help, with an unknown subcommand it is a usage error.
func groupCommand(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(cmd.CommandPath(), fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()))
			}
			return nil
		},
		RunE:        func(cmd *cobra.Command, args []string) error { return cmd.Help() },
		Annotations: map[string]string{needsNothing: "true"},
	}
}

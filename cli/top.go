package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"berth/engine"
)

func (a *app) topCommand() *cobra.Command {
	cmd := newCommand("top CONTAINER [ps OPTIONS]", "Display the running processes of a container", minArgs(1), nil)
	cmd.Long = "Display the running processes of a container, as docker top does: the host's\n" +
		"ps(1) runs with the ps options given (default -ef: UID PID PPID C STIME TTY\n" +
		"TIME CMD) and the rows of the container's processes are kept, with host PIDs.\n" +
		"Examples: berth top web; berth top web aux; berth top web -o pid,comm."
	cmd.Flags().SetInterspersed(false) // what follows CONTAINER is ps's
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		res, err := eng.TopPS(cmd.Context(), args[0], psOptions(args[1:]))
		if err != nil {
			return err
		}
		return writeTop(a.stdout, res)
	}
	return cmd
}

// psOptions are the ps options after CONTAINER as docker passes them on:
// joined with spaces, then split at each space.
func psOptions(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	return strings.Split(strings.Join(args, " "), " ")
}

// writeTop prints ps's table as docker top does (its column widths too).
func writeTop(w io.Writer, res *engine.TopResult) error {
	tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, strings.Join(res.Titles, "\t"))
	for _, p := range res.Processes {
		fmt.Fprintln(tw, strings.Join(p, "\t"))
	}
	return tw.Flush()
}

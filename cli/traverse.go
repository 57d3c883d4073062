package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// unknownCommand is the root's check of its arguments, cobra's own
// ("unknown command" and suggestions), which cobra makes only when it
// does not traverse: the root traverses its children so that a parent's
// flags stay before the subcommand (`compose -f FILE logs -f`).
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default
	}
	var sb strings.Builder
	if suggestions := cmd.SuggestionsFor(args[0]); len(suggestions) > 0 {
		sb.WriteString("\n\nDid you mean this?\n")
		for _, s := range suggestions {
			fmt.Fprintf(&sb, "\t%v\n", s)
		}
	}
	return fmt.Errorf("unknown command %q for %q%s", args[0], cmd.CommandPath(), sb.String())
}

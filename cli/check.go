package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"berth/engine"
)

// systemCheckCommand is `berth system check`, as `podman system check`:
// it prints what is damaged and fails when anything is (exit 1, as every
// failed command but run and create; podman's failures are all 125); with
// --repair it removes what it may, checks again, and fails only when
// damage is left.
func (a *app) systemCheckCommand() *cobra.Command {
	var opts engine.CheckOptions
	cmd := newCommand("check [OPTIONS]", "Check the stores for damage, and repair it", noArgs, func(cmd *cobra.Command, args []string) error {
		if opts.Force && !opts.Repair {
			return usageError(cmd.CommandPath(), errors.New("--force needs --repair"))
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		found, err := eng.Check(cmd.Context(), opts)
		if err != nil {
			return err
		}
		writeDamage(a.stdout, found)
		if len(found) == 0 {
			return nil
		}
		if !opts.Repair {
			return errors.New("damage detected in local storage")
		}
		if found, err = eng.Check(cmd.Context(), engine.CheckOptions{}); err != nil {
			return err
		}
		if len(found) > 0 {
			return errors.New("damage in local storage still present after repair attempt")
		}
		return nil
	})
	cmd.Long = "Check containers, names, networks, images and layers for damage: records that\n" +
		"cannot be read, blobs that do not match their digests, reservations and\n" +
		"endpoints of containers that are gone. With --repair, remove what is damaged\n" +
		"(rebuild the references index); damaged containers and images in use are\n" +
		"removed only with --force, which kills what still runs in them."
	flags := cmd.Flags()
	flags.BoolVarP(&opts.Repair, "repair", "r", false, "remove what is damaged, except containers and images in use")
	flags.BoolVarP(&opts.Force, "force", "f", false, "with --repair, also remove damaged containers and the containers of damaged images")
	return cmd
}

// writeDamage prints one line per damage, then what the repair did.
func writeDamage(w io.Writer, found []engine.Damage) {
	for _, d := range found {
		fmt.Fprintf(w, "Damaged %s %s: %s\n", d.Kind, d.ID, d.Problem)
	}
	for _, d := range found {
		switch {
		case d.Repaired != "":
			fmt.Fprintf(w, "Repaired damaged %s %s: %s\n", d.Kind, d.ID, d.Repaired)
		case d.Left != "":
			fmt.Fprintf(w, "Left damaged %s %s: %s\n", d.Kind, d.ID, d.Left)
		}
	}
}

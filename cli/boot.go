package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// systemBootCommand is `berth system boot`: what dockerd does for restart
// policies when it starts, for a berth that has no daemon. The systemd
// unit contrib/systemd/berth-boot.service runs it once at boot. It prints
// each container it started or removed; a container it could not start is
// an error line, and makes it exit 1, as `start` of several containers.
func (a *app) systemBootCommand() *cobra.Command {
	cmd := newCommand("boot", "Start the containers whose restart policy says so, after a reboot", noArgs, func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		results, err := eng.Boot(cmd.Context())
		if err != nil {
			return err
		}
		failed := false
		for _, r := range results {
			name := r.Name
			if name == "" {
				name = r.ID
			}
			switch {
			case r.Err != nil:
				fmt.Fprintf(a.stderr, "Error: %s: %v\n", name, r.Err)
				failed = true
			case r.Started:
				fmt.Fprintf(a.stdout, "Started %s\n", name)
			case r.Removed:
				fmt.Fprintf(a.stdout, "Removed %s\n", name)
			}
		}
		if failed {
			return errSomeFailed
		}
		return nil
	})
	cmd.Long = "Apply the restart policies after a reboot, as dockerd does when it starts:\n" +
		"containers whose shim is gone are recorded as exited (255) and their network\n" +
		"endpoints, cgroups and run directories released; then those with --restart\n" +
		"always (even if stopped by the user), unless-stopped (unless stopped by the\n" +
		"user) or on-failure (if they were running, with retries left) are started, and\n" +
		"those run with --rm are removed. Containers whose shim runs are left alone.\n" +
		"contrib/systemd/berth-boot.service runs it at boot."
	return cmd
}

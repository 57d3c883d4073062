package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host"
	"berth/host/runopts"
)

// forEach applies fn to each container reference as docker's multi-object
// commands do: the reference is printed when fn succeeds, the error when it
// fails, and the others still go; any failure makes berth exit 1.
func (a *app) forEach(refs []string, fn func(ref string) error) error {
	failed := false
	for _, ref := range refs {
		if err := fn(ref); err != nil {
			fmt.Fprintf(a.stderr, "Error: %v\n", err)
			failed = true
			continue
		}
		fmt.Fprintln(a.stdout, ref)
	}
	if failed {
		return errSomeFailed
	}
	return nil
}

// stopOptions turns -t/--time/--timeout (seconds, -1 waits forever) into
// StopOptions.
func stopOptions(cmd *cobra.Command, seconds int) engine.StopOptions {
	if !changed(cmd.Flags(), "time") && !changed(cmd.Flags(), "timeout") {
		return engine.StopOptions{}
	}
	d := time.Duration(seconds) * time.Second
	if seconds < 0 {
		d = -1
	}
	return engine.StopOptions{Timeout: &d}
}

func (a *app) stopCommand() *cobra.Command {
	var seconds int
	cmd := newCommand("stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers", minArgs(1), nil)
	cmd.Long = "Stop one or more running containers: the stop signal (--stop-signal, default\n" +
		"SIGTERM) is sent, then SIGKILL after the grace period."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		opts := stopOptions(cmd, seconds)
		return a.forEach(args, func(ref string) error { return eng.Stop(cmd.Context(), ref, opts) })
	}
	addTimeoutFlags(cmd, &seconds)
	return cmd
}

func (a *app) restartCommand() *cobra.Command {
	var seconds int
	cmd := newCommand("restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		opts := stopOptions(cmd, seconds)
		return a.forEach(args, func(ref string) error { return eng.Restart(cmd.Context(), ref, opts) })
	}
	addTimeoutFlags(cmd, &seconds)
	return cmd
}

func (a *app) killCommand() *cobra.Command {
	var sig string
	cmd := newCommand("kill [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if _, err := runopts.ParseSignal(sig); err != nil {
			return err // docker's daemon refuses it: exit 1
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		return a.forEach(args, func(ref string) error { return eng.Kill(cmd.Context(), ref, sig) })
	}
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send to the container (name or number)")
	return cmd
}

// simpleCommand is a command that applies one engine call to each argument.
func (a *app) simpleCommand(use, short string, call func(eng host.Containers, cmd *cobra.Command, ref string) error) *cobra.Command {
	return newCommand(use, short, minArgs(1), func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		return a.forEach(args, func(ref string) error { return call(eng, cmd, ref) })
	})
}

func (a *app) pauseCommand() *cobra.Command {
	return a.simpleCommand("pause CONTAINER [CONTAINER...]", "Pause all processes within one or more containers",
		func(eng host.Containers, cmd *cobra.Command, ref string) error { return eng.Pause(cmd.Context(), ref) })
}

func (a *app) unpauseCommand() *cobra.Command {
	return a.simpleCommand("unpause CONTAINER [CONTAINER...]", "Unpause all processes within one or more containers",
		func(eng host.Containers, cmd *cobra.Command, ref string) error {
			return eng.Unpause(cmd.Context(), ref)
		})
}

func (a *app) waitCommand() *cobra.Command {
	return newCommand("wait CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes", minArgs(1),
		func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			failed := false
			for _, ref := range args {
				res, err := eng.Wait(cmd.Context(), ref)
				if err != nil {
					fmt.Fprintf(a.stderr, "Error: %v\n", err)
					failed = true
					continue
				}
				fmt.Fprintln(a.stdout, res.ExitCode)
			}
			if failed {
				return errSomeFailed
			}
			return nil
		})
}

func (a *app) rmCommand() *cobra.Command {
	var opts engine.RemoveOptions
	cmd := a.simpleCommand("rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
		func(eng host.Containers, cmd *cobra.Command, ref string) error {
			return eng.Remove(cmd.Context(), ref, opts)
		})
	cmd.Flags().BoolVarP(&opts.Force, "force", "f", false, "force the removal of a running container (uses SIGKILL)")
	cmd.Flags().BoolVarP(&opts.Volumes, "volumes", "v", false, "remove anonymous volumes associated with the container")
	return cmd
}

func (a *app) renameCommand() *cobra.Command {
	return newCommand("rename CONTAINER NEW_NAME", "Rename a container", exactArgs(2),
		func(cmd *cobra.Command, args []string) error {
			eng, err := a.engine()
			if err != nil {
				return err
			}
			return eng.Rename(cmd.Context(), args[0], args[1])
		})
}

// addTimeoutFlags adds docker's -t/--timeout and its older name --time.
func addTimeoutFlags(cmd *cobra.Command, seconds *int) {
	cmd.Flags().IntVarP(seconds, "timeout", "t", 0, "seconds to wait before killing the container (default: its --stop-timeout, else 10)")
	cmd.Flags().IntVar(seconds, "time", 0, "seconds to wait before killing the container (deprecated name of --timeout)")
	cmd.Flags().Lookup("timeout").DefValue = ""
	cmd.Flags().Lookup("time").DefValue = ""
	cmd.Flags().Lookup("time").Hidden = true
}

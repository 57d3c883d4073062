package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"berth/compose"
	"berth/engine"
	"berth/host/runopts"
)

// composeExecCommand is `compose exec`: a command in a service's running
// container, with a terminal when berth's output is one (unless -T),
// ending with the command's exit code.
func (a *app) composeExecCommand(f *composeFlags) *cobra.Command {
	var detach, noTTY, privileged, interactive bool
	var env []string
	var user, workdir string
	var index int
	cmd := newCommand("exec [OPTIONS] SERVICE COMMAND [ARGS...]", "Execute a command in a running container", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := composeArgsAtLeast(cmd, args, 2); err != nil {
			return err
		}
		flags := cmd.Flags()
		tty := a.sys.isTerminal(a.stdout)
		if changed(flags, "no-tty") {
			tty = !noTTY
		}
		if tty && interactive && !detach && !a.sys.isTerminal(a.stdin) {
			return &statusError{err: errors.New("the input device is not a TTY"), code: exitFailure}
		}
		flagEnv, err := runopts.ParseEnv(env, a.sys.lookupEnv)
		if err != nil {
			return &statusError{err: err, code: exitComposeSyntax, helpFor: cmd.CommandPath()}
		}
		ctx := cmd.Context()
		name, h, err := a.composeTarget(ctx, f)
		if err != nil {
			return err
		}
		c, err := compose.ServiceContainer(ctx, h, name, args[0], index)
		if err != nil {
			return composeError(err)
		}
		err = a.execIn(ctx, c.ID, engine.ExecOptions{
			Cmd: args[1:], Env: flagEnv, User: user, WorkingDir: workdir, Tty: tty, Privileged: privileged,
		}, interactive, detach)
		return composeExitError(err)
	}
	flags := cmd.Flags()
	flags.SetInterspersed(false)
	flags.BoolVarP(&detach, "detach", "d", false, "detached mode: run command in the background")
	flags.StringArrayVarP(&env, "env", "e", nil, "set environment variables")
	flags.IntVar(&index, "index", 0, "index of the container if service has multiple replicas")
	flags.BoolVar(&privileged, "privileged", false, "give extended privileges to the process")
	flags.StringVarP(&user, "user", "u", "", "run the command as this user")
	flags.BoolVarP(&noTTY, "no-tty", "T", false, "disable pseudo-TTY allocation; by default exec allocates a TTY when berth's output is a terminal")
	flags.StringVarP(&workdir, "workdir", "w", "", "path to workdir directory for this command")
	flags.BoolVarP(&interactive, "interactive", "i", true, "keep STDIN open even if not attached")
	_ = flags.MarkHidden("interactive")
	flags.BoolP("tty", "t", true, "allocate a pseudo-TTY")
	_ = flags.MarkHidden("tty")
	flags.SetNormalizeFunc(composeFlagNames)
	return cmd
}

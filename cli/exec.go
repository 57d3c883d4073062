package cli

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host/runopts"
)

func (a *app) execCommand() *cobra.Command {
	var detach, interactive, tty, privileged bool
	var env, envFiles []string
	var user, workdir string
	cmd := newCommand("exec [OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container", minArgs(2), nil)
	cmd.Long = "Execute a command in a running container: it joins all the container's\n" +
		"namespaces and its cgroup, as the container's user, environment and working\n" +
		"directory unless -u, -e, -w say otherwise. berth ends with the command's exit\n" +
		"code, or 126 when it cannot be started (not found, not executable), as\n" +
		"docker exec."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if tty && interactive && !detach && !a.sys.isTerminal(a.stdin) {
			return usageError(cmd.CommandPath(), errors.New("the input device is not a TTY"))
		}
		fileEnv, err := runopts.ReadKeyValueFiles(envFiles, a.sys.lookupEnv)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		flagEnv, err := runopts.ParseEnv(env, a.sys.lookupEnv)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		return a.execIn(cmd.Context(), args[0], engine.ExecOptions{
			Cmd: args[1:], Env: append(fileEnv, flagEnv...), User: user, WorkingDir: workdir,
			Tty: tty, Privileged: privileged,
		}, interactive, detach)
	}
	flags := cmd.Flags()
	flags.SetInterspersed(false)
	flags.BoolVarP(&detach, "detach", "d", false, "detached mode: run command in the background")
	flags.BoolVarP(&interactive, "interactive", "i", false, "keep STDIN open even if not attached")
	flags.BoolVarP(&tty, "tty", "t", false, "allocate a pseudo-TTY")
	flags.StringArrayVarP(&env, "env", "e", nil, "set environment variables")
	flags.StringArrayVar(&envFiles, "env-file", nil, "read in a file of environment variables")
	flags.StringVarP(&user, "user", "u", "", "username or UID (format: <name|uid>[:<group|gid>])")
	flags.StringVarP(&workdir, "workdir", "w", "", "working directory inside the container")
	flags.BoolVar(&privileged, "privileged", false, "give extended privileges to the command")
	return cmd
}

// execIn runs a command in container ref: detached, or with berth's
// streams (stdin when interactive), ending with the command's exit code.
func (a *app) execIn(ctx context.Context, ref string, opts engine.ExecOptions, interactive, detach bool) error {
	eng, err := a.engine()
	if err != nil {
		return err
	}
	s, err := eng.Exec(ctx, ref, opts)
	if err != nil {
		return err
	}
	if detach {
		return s.Detach()
	}
	var stdin io.Reader
	if interactive {
		stdin = a.stdin
	}
	code, err := s.Run(stdin, a.stdout, a.stderr)
	if err != nil {
		return err
	}
	return exitStatus(code)
}

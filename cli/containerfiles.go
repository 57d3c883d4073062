package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/images"
)

// diff, commit and export: a container's filesystem as changes, as an
// image, as a tar stream (cp is cp.go, update update.go).

func (a *app) diffCommand() *cobra.Command {
	cmd := newCommand("diff CONTAINER", "Inspect changes to files or directories on a container's filesystem", exactArgs(1), nil)
	cmd.Long = "List the paths a container added (A), changed (C) or deleted (D) in its\n" +
		"image's filesystem, sorted by path."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		files, err := a.files()
		if err != nil {
			return err
		}
		changes, err := files.Diff(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		for _, c := range changes {
			fmt.Fprintf(a.stdout, "%s %s\n", changeKind(c.Kind), c.Path)
		}
		return nil
	}
	return cmd
}

// changeKind is docker diff's letter for a change kind.
func changeKind(k int) string {
	switch k {
	case images.ChangeAdd:
		return "A"
	case images.ChangeDelete:
		return "D"
	}
	return "C"
}

func (a *app) exportCommand() *cobra.Command {
	var output string
	cmd := newCommand("export [OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive", exactArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if output == "" && a.sys.isTerminal(a.stdout) {
			return errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		if output == "" {
			return files.Export(cmd.Context(), args[0], a.stdout)
		}
		if err := writeFileAtomic(output, func(w io.Writer) error {
			return files.Export(cmd.Context(), args[0], w)
		}); err != nil {
			return fmt.Errorf("failed to export container: %w", err)
		}
		return nil
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a file, instead of STDOUT")
	return cmd
}

// commitChanges are the instructions `commit -c` takes, as docker's
// validCommitCommands.
var commitChanges = map[string]bool{
	"cmd": true, "entrypoint": true, "env": true, "expose": true, "label": true,
	"onbuild": true, "stopsignal": true, "user": true, "volume": true, "workdir": true,
}

// checkCommitChanges refuses -c instructions docker's commit refuses,
// with its message; the image store parses the rest.
func checkCommitChanges(changes []string) error {
	for _, c := range changes {
		fields := strings.Fields(c)
		if len(fields) == 0 {
			return errors.New("empty change command")
		}
		word := strings.ToLower(fields[0])
		if !commitChanges[word] {
			return fmt.Errorf("%s is not a valid change command", word)
		}
	}
	return nil
}

func (a *app) commitCommand() *cobra.Command {
	var opts engine.CommitOptions
	var noPause bool
	cmd := newCommand("commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "Create a new image from a container's changes", rangeArgs(1, 2), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if noPause {
			if changed(cmd.Flags(), "pause") {
				return errors.New("conflicting options: --no-pause and --pause cannot be used together")
			}
			opts.Pause = false
		}
		if err := checkCommitChanges(opts.Changes); err != nil {
			return err
		}
		if len(args) == 2 {
			opts.Ref = args[1]
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		id, err := files.Commit(cmd.Context(), args[0], opts)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, id)
		return nil
	}
	flags := cmd.Flags()
	flags.StringVarP(&opts.Author, "author", "a", "", `author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	flags.StringArrayVarP(&opts.Changes, "change", "c", nil, "apply Dockerfile instruction to the created image")
	flags.StringVarP(&opts.Message, "message", "m", "", "commit message")
	flags.BoolVarP(&opts.Pause, "pause", "p", true, "pause container during commit")
	flags.BoolVar(&noPause, "no-pause", false, "disable pausing container during commit")
	return cmd
}

// rangeArgs phrases a wrong argument count as docker does.
func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return fmt.Errorf("%q requires at least %d and at most %d arguments", cmd.CommandPath(), lo, hi)
		}
		return nil
	}
}

package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host"
)

// timestampFormat is docker's `logs -t` timestamp: RFC 3339 with nine
// fractional digits always shown.
const timestampFormat = "2006-01-02T15:04:05.000000000Z07:00"

func (a *app) logsCommand() *cobra.Command {
	var follow, timestamps, details bool
	var tail, since, until string
	cmd := newCommand("logs [OPTIONS] CONTAINER", "Fetch the logs of a container", exactArgs(1), nil)
	cmd.Long = "Fetch the logs of a container: its stdout to stdout and its stderr to stderr.\n\n" +
		"--since and --until take an RFC 3339 date (2026-01-02T15:04:05Z, 2026-01-02),\n" +
		"a Unix timestamp (1767366245.5), or a duration before now (10s, 5m, 1h30m)."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		now := a.sys.now()
		// logOutput writes or copies each line before it returns, and
		// without timestamps prints lines joined as they are.
		opts := engine.LogsOptions{Follow: follow, Stdout: true, Stderr: true, Transient: true, Joined: !timestamps}
		var err error
		if opts.Tail, err = parseTail(tail); err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		if opts.Since, err = host.ParseTimestamp(since, now); err != nil {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid value for \"since\": %w", err))
		}
		if opts.Until, err = host.ParseTimestamp(until, now); err != nil {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid value for \"until\": %w", err))
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		out := newLogOutput(a.stdout, a.stderr, timestamps, follow)
		err = eng.Logs(ctx, args[0], opts, out.write)
		if cerr := out.close(); err == nil {
			err = cerr
		}
		if ctx.Err() != nil && cmd.Context().Err() == nil {
			return nil // interrupted by the user while following
		}
		return err
	}
	flags := cmd.Flags()
	flags.BoolVarP(&follow, "follow", "f", false, "follow log output")
	flags.StringVarP(&tail, "tail", "n", "all", "number of lines to show from the end of the logs")
	flags.BoolVarP(&timestamps, "timestamps", "t", false, "show timestamps")
	flags.BoolVar(&details, "details", false, "accepted for docker compatibility: berth logs carry no extra attributes")
	flags.StringVar(&since, "since", "", "show logs since timestamp or relative (e.g. 42m for 42 minutes)")
	flags.StringVar(&until, "until", "", "show logs before a timestamp or relative (e.g. 42m for 42 minutes)")
	return cmd
}

// parseTail is --tail: "all" (-1) or a count; a negative count means all.
func parseTail(s string) (int, error) {
	if s == "" || s == "all" {
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid value for \"tail\": %q is not a number or \"all\"", s)
	}
	if n < 0 {
		return -1, nil
	}
	return n, nil
}

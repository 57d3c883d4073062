package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"berth/engine"
)

func (a *app) topCommand() *cobra.Command {
	cmd := newCommand("top CONTAINER", "Display the running processes of a container", exactArgs(1), nil)
	cmd.Long = "Display the running processes of a container, with docker's columns (those of\n" +
		"ps -ef): UID PID PPID C STIME TTY TIME CMD, where PID and PPID are host PIDs.\n" +
		"berth adds one column before CMD: CPID, the process's PID inside the\n" +
		"container's PID namespace (1 is the container's command). ps options after\n" +
		"CONTAINER, as docker top takes them, are not supported yet."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		procs, err := eng.Top(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return writeTop(a.stdout, procs, a.sys.now())
	}
	return cmd
}

// writeTop prints processes as docker top does (its column widths too).
func writeTop(w io.Writer, procs []engine.Process, now time.Time) error {
	tw := tabwriter.NewWriter(w, 20, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCPID\tCMD")
	for _, p := range procs {
		tty := p.TTY
		if tty == "" {
			tty = "?"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%s\n",
			p.User, p.HostPID, p.PPID, cpuPercentSinceStart(p, now), psStartTime(p.StartTime, now),
			tty, psCPUTime(p.CPUTime), p.PID, p.Command)
	}
	return tw.Flush()
}

// cpuPercentSinceStart is ps's C column: CPU time over elapsed time, as a
// whole percentage.
func cpuPercentSinceStart(p engine.Process, now time.Time) int {
	elapsed := now.Sub(p.StartTime)
	if elapsed <= 0 {
		return 0
	}
	return int(p.CPUTime * 100 / elapsed)
}

// psStartTime is ps's STIME: "15:04" within a day, "Jan02" within the
// year, else the year.
func psStartTime(t, now time.Time) string {
	switch {
	case t.IsZero():
		return "?"
	case now.Sub(t) < 24*time.Hour:
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan02")
	}
	return strconv.Itoa(t.Year())
}

// psCPUTime is ps's TIME: [DD-]HH:MM:SS of CPU time.
func psCPUTime(d time.Duration) string {
	s := int64(d / time.Second)
	days, s := s/86400, s%86400
	hms := fmt.Sprintf("%02d:%02d:%02d", s/3600, s%3600/60, s%60)
	if days > 0 {
		return strings.Join([]string{strconv.FormatInt(days, 10), hms}, "-")
	}
	return hms
}

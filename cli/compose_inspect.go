package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"berth/compose"
)

func (a *app) composeTopCommand(f *composeFlags) *cobra.Command {
	cmd := newCommand("top [SERVICES...]", "Display the running processes", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		list, err := compose.Top(cmd.Context(), h, name, args)
		if err != nil {
			return composeError(err)
		}
		return printTop(a, list)
	}
	return cmd
}

// printTop is one table of every container's processes, as Docker
// Compose prints it: SERVICE, #, ps's columns in the order first seen,
// CMD last; "-" where a container's ps lacked a column.
func printTop(a *app, list []compose.Processes) error {
	slices.SortFunc(list, func(x, y compose.Processes) int { return strings.Compare(x.Name, y.Name) })
	titles := []string{"SERVICE", "#"}
	hasCmd := false
	var rows []map[string]string
	for _, c := range list {
		for _, t := range c.Titles {
			if t == "CMD" {
				hasCmd = true
			} else if !slices.Contains(titles, t) {
				titles = append(titles, t)
			}
		}
		for _, proc := range c.Rows {
			row := map[string]string{"SERVICE": c.Service, "#": c.Number}
			for i, t := range c.Titles {
				if i < len(proc) {
					row[t] = proc[i]
				}
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if hasCmd {
		titles = append(titles, "CMD")
	}
	tw := tabwriter.NewWriter(a.stdout, 4, 1, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(titles, "\t"))
	for _, row := range rows {
		cells := make([]string, len(titles))
		for i, t := range titles {
			v, ok := row[t]
			if !ok {
				v = "-"
			}
			cells[i] = v
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func (a *app) composePortCommand(f *composeFlags) *cobra.Command {
	var protocol string
	var index int
	cmd := newCommand("port [OPTIONS] SERVICE PRIVATE_PORT", "Print the public port for a port binding", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := composeArgsAtLeast(cmd, args, 2); err != nil {
			return err
		}
		port, err := strconv.ParseUint(args[1], 10, 16)
		if err != nil {
			return &statusError{err: fmt.Errorf("invalid port %q: a number from 0 to 65535", args[1]), code: exitFailure, helpFor: cmd.CommandPath()}
		}
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		addr, err := compose.Port(cmd.Context(), h, name, args[0], int(port), strings.ToLower(protocol), index)
		if err != nil {
			return composeError(err)
		}
		fmt.Fprintln(a.stdout, addr)
		return nil
	}
	flags := cmd.Flags()
	flags.StringVar(&protocol, "protocol", "tcp", "tcp or udp")
	flags.IntVar(&index, "index", 0, "index of the container if service has multiple replicas")
	return cmd
}

func (a *app) composeImagesCommand(f *composeFlags) *cobra.Command {
	var quiet bool
	cmd := newCommand("images [OPTIONS] [SERVICE...]", "List images used by the created containers", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		list, err := compose.Images(cmd.Context(), h, name, args)
		if err != nil {
			return composeError(err)
		}
		slices.SortFunc(list, func(x, y compose.ContainerImage) int { return strings.Compare(x.Container, y.Container) })
		if quiet {
			var seen []string
			for _, img := range list {
				id := strings.TrimPrefix(img.ID, "sha256:")
				if !slices.Contains(seen, id) {
					seen = append(seen, id)
					fmt.Fprintln(a.stdout, id)
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 10, 1, 3, ' ', 0)
		fmt.Fprintln(tw, "CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE")
		for _, img := range list {
			repo, tag := img.Repository, img.Tag
			if repo == "" {
				repo = "<none>"
			}
			if tag == "" {
				tag = "<none>"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", img.Container, repo, tag,
				truncateID(img.ID), units.HumanSizeWithPrecision(float64(img.Size), 3))
		}
		return tw.Flush()
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only display IDs")
	return cmd
}

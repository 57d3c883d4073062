package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host"
	"berth/images"
)

// confirm asks docker's "Are you sure you want to continue? [y/N]" on
// stdin; only y or yes goes on.
func (a *app) confirm(warning string) bool {
	return a.ask(warning + "\nAre you sure you want to continue? [y/N] ")
}

// ask prints question on stdout and reads the answer from stdin, a
// terminal or not: y or yes is yes, anything else (nothing included) no.
func (a *app) ask(question string) bool {
	fmt.Fprint(a.stdout, question)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// pruneContainers removes every stopped container (created, exited,
// dead) and returns their IDs and the bytes their writable layers held.
func (a *app) pruneContainers(cmd *cobra.Command) (ids []string, reclaimed int64, err error) {
	eng, err := a.engine()
	if err != nil {
		return nil, 0, err
	}
	store, err := a.images()
	if err != nil {
		return nil, 0, err
	}
	list, err := eng.List(cmd.Context(), engine.ListOptions{All: true, Filters: map[string][]string{
		"status": {string(engine.StatusCreated), string(engine.StatusExited), string(engine.StatusDead)},
	}})
	if err != nil {
		return nil, 0, err
	}
	for _, c := range list {
		size, _ := store.RootfsSize(c.ID)
		if err := eng.Remove(cmd.Context(), c.ID, engine.RemoveOptions{}); err != nil {
			fmt.Fprintf(a.stderr, "Error: %v\n", err)
			continue
		}
		ids = append(ids, c.ID)
		reclaimed += size
	}
	return ids, reclaimed, nil
}

// pruneImages removes dangling images (all unused ones with all).
func (a *app) pruneImages(cmd *cobra.Command, all bool) (*images.PruneReport, error) {
	store, err := a.images()
	if err != nil {
		return nil, err
	}
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	return host.PruneImages(cmd.Context(), eng, store, all)
}

func writeDeletedContainers(w io.Writer, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintln(w, "Deleted Containers:")
	for _, id := range ids {
		fmt.Fprintln(w, id)
	}
	fmt.Fprintln(w)
}

func writeDeletedImages(w io.Writer, report *images.PruneReport) {
	if len(report.Deleted) == 0 {
		return
	}
	fmt.Fprintln(w, "Deleted Images:")
	for _, d := range report.Deleted {
		if d.Untagged != "" {
			fmt.Fprintln(w, "untagged:", d.Untagged)
		}
		if d.Deleted != "" {
			fmt.Fprintln(w, "deleted:", d.Deleted)
		}
	}
	fmt.Fprintln(w)
}

func (a *app) containerPruneCommand() *cobra.Command {
	var force bool
	cmd := newCommand("prune [OPTIONS]", "Remove all stopped containers", noArgs, func(cmd *cobra.Command, args []string) error {
		if !force && !a.confirm("WARNING! This will remove all stopped containers.") {
			return nil
		}
		ids, reclaimed, err := a.pruneContainers(cmd)
		if err != nil {
			return err
		}
		writeDeletedContainers(a.stdout, ids)
		fmt.Fprintln(a.stdout, "Total reclaimed space:", humanSize(reclaimed))
		return nil
	})
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func (a *app) imagePruneCommand() *cobra.Command {
	var force, all bool
	cmd := newCommand("prune [OPTIONS]", "Remove unused images", noArgs, func(cmd *cobra.Command, args []string) error {
		warning := "WARNING! This will remove all dangling images."
		if all {
			warning = "WARNING! This will remove all images without at least one container associated to them."
		}
		if !force && !a.confirm(warning) {
			return nil
		}
		report, err := a.pruneImages(cmd, all)
		if err != nil {
			return err
		}
		writeDeletedImages(a.stdout, report)
		fmt.Fprintln(a.stdout, "Total reclaimed space:", humanSize(report.SpaceReclaimed))
		return nil
	})
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func (a *app) systemPruneCommand() *cobra.Command {
	var force, all, volumes bool
	cmd := newCommand("prune [OPTIONS]", "Remove unused data", noArgs, func(cmd *cobra.Command, args []string) error {
		images := "  - all dangling images\n"
		if all {
			images = "  - all images without at least one container associated to them\n"
		}
		warning := "WARNING! This will remove:\n  - all stopped containers\n"
		if volumes {
			warning += "  - all anonymous volumes not used by at least one container\n"
		}
		warning += images + "  - unused build cache\n"
		if !force && !a.confirm(warning) {
			return nil
		}
		ids, reclaimed, err := a.pruneContainers(cmd)
		if err != nil {
			return err
		}
		var deletedVolumes []string
		var volumeSpace int64
		if volumes {
			if deletedVolumes, volumeSpace, err = a.pruneSystemVolumes(cmd.Context(), false); err != nil {
				return err
			}
		}
		report, err := a.pruneImages(cmd, all)
		if err != nil {
			return err
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		cache, err := store.PruneBuildCache()
		if err != nil {
			return err
		}
		writeDeletedContainers(a.stdout, ids)
		writeDeletedVolumes(a.stdout, deletedVolumes)
		writeDeletedImages(a.stdout, report)
		fmt.Fprintln(a.stdout, "Total reclaimed space:", humanSize(reclaimed+volumeSpace+report.SpaceReclaimed+cache))
		return nil
	})
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused images not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().BoolVar(&volumes, "volumes", false, "prune anonymous volumes")
	return cmd
}

func (a *app) systemDfCommand() *cobra.Command {
	var verbose bool
	var format string
	cmd := newCommand("df [OPTIONS]", "Show berth disk usage", noArgs, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		out, err := parseFormat(format, "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}")
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		du, err := store.DiskUsage()
		if err != nil {
			return err
		}
		list, err := eng.List(cmd.Context(), engine.ListOptions{All: true})
		if err != nil {
			return err
		}
		vu, err := volumeUsages(cmd.Context(), eng.Volumes())
		if err != nil {
			return err
		}
		rows := append(withVolumes(diskUsageRows(du, list), vu), buildCacheRow(du))
		if err := out.write(a.stdout, dfHeaders, rows); err != nil || !verbose {
			return err
		}
		if err := writeDiskUsageVerbose(a.stdout, du, list, a.sys.now); err != nil {
			return err
		}
		if err := writeVolumesVerbose(a.stdout, vu); err != nil {
			return err
		}
		return writeBuildCacheVerbose(a.stdout, du, a.sys.now)
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show detailed information on space usage")
	cmd.Flags().StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.Type}}, {{.Size}}…)")
	return cmd
}

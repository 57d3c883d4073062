package cli

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host/runopts"
)

// updateFlags are `berth update`'s flags: docker's, and berth's own
// --publish-add/--publish-rm.
type updateFlags struct {
	memory, memorySwap        runopts.MemoryValue
	cpus                      runopts.NanoCPUsValue
	cpuShares, pidsLimit      int64
	cpuPeriod, cpuQuota       int64
	memoryReservation         runopts.MemoryValue
	cpusetCpus, restart       string
	publishAdd, publishRemove []string
}

func (a *app) updateCommand() *cobra.Command {
	var f updateFlags
	cmd := newCommand("update [OPTIONS] CONTAINER [CONTAINER...]", "Update configuration of one or more containers", minArgs(1), nil)
	cmd.Long = "Change the resources or restart policy of containers: a running container's\n" +
		"cgroup at once, a stopped one's for its next start. Beyond docker,\n" +
		"--publish-add and --publish-rm change the published ports of a container\n" +
		"that is not running, with run -p's syntax."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts, err := f.options(cmd)
		if err != nil {
			return err
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		return a.forEach(args, func(ref string) error {
			return files.Update(cmd.Context(), ref, opts)
		})
	}
	flags := cmd.Flags()
	flags.VarP(&f.memory, "memory", "m", "memory limit (units b, k, m, g)")
	f.memorySwap.AllowUnlimited = true
	flags.Var(&f.memorySwap, "memory-swap", "memory plus swap limit: '-1' for unlimited swap")
	flags.Var(&f.cpus, "cpus", "number of CPUs")
	flags.Int64VarP(&f.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	flags.StringVar(&f.cpusetCpus, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	flags.Int64Var(&f.pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	flags.Int64Var(&f.cpuPeriod, "cpu-period", 0, "limit CPU CFS (Completely Fair Scheduler) period")
	flags.Int64Var(&f.cpuQuota, "cpu-quota", 0, "limit CPU CFS (Completely Fair Scheduler) quota")
	flags.Var(&f.memoryReservation, "memory-reservation", "memory soft limit")
	flags.StringVar(&f.restart, "restart", "", "restart policy to apply when a container exits")
	flags.StringArrayVar(&f.publishAdd, "publish-add", nil, "publish a port of a container that is not running: [IP:][HOST:]CONTAINER[/PROTO]")
	flags.StringArrayVar(&f.publishRemove, "publish-rm", nil, "unpublish a port of a container that is not running: [IP:][HOST:]CONTAINER[/PROTO]")
	return cmd
}

// options turns the flags given into the engine's options.
func (f *updateFlags) options(cmd *cobra.Command) (engine.UpdateOptions, error) {
	var o engine.UpdateOptions
	flags := cmd.Flags()
	if flags.NFlag() == 0 {
		return o, errors.New("you must provide one or more flags when using this command")
	}
	set := func(name string, v int64) *int64 {
		if !changed(flags, name) {
			return nil
		}
		return &v
	}
	o.Memory = set("memory", f.memory.Bytes)
	o.MemorySwap = set("memory-swap", f.memorySwap.Bytes)
	o.NanoCPUs = set("cpus", f.cpus.Nano)
	o.CPUShares = set("cpu-shares", f.cpuShares)
	o.PidsLimit = set("pids-limit", f.pidsLimit)
	o.CPUPeriod = set("cpu-period", f.cpuPeriod)
	o.CPUQuota = set("cpu-quota", f.cpuQuota)
	o.MemoryReservation = set("memory-reservation", f.memoryReservation.Bytes)
	if changed(flags, "cpuset-cpus") {
		if f.cpusetCpus != "" {
			if err := runopts.ValidateCPUSet(f.cpusetCpus); err != nil {
				return o, err
			}
		}
		o.CpusetCpus = &f.cpusetCpus
	}
	if changed(flags, "restart") {
		p, err := runopts.ParseRestartPolicy(f.restart)
		if err != nil {
			return o, err
		}
		o.RestartPolicy = &p
	}
	var err error
	if o.PublishAdd, err = publishSpecs(f.publishAdd); err != nil {
		return o, fmt.Errorf("--publish-add: %w", err)
	}
	if o.PublishRemove, err = publishSpecs(f.publishRemove); err != nil {
		return o, fmt.Errorf("--publish-rm: %w", err)
	}
	// A removal that names only the container port removes all of its
	// bindings.
	for port, bs := range o.PublishRemove {
		if slices.Contains(bs, engine.PortBinding{}) {
			o.PublishRemove[port] = nil
		}
	}
	return o, nil
}

// publishSpecs parses run -p specs into bindings; nil when there are none.
func publishSpecs(specs []string) (map[string][]engine.PortBinding, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	bindings := map[string][]engine.PortBinding{}
	exposed := map[string]struct{}{}
	for _, s := range specs {
		if err := runopts.ParsePublish(s, bindings, exposed); err != nil {
			return nil, err
		}
	}
	return bindings, nil
}

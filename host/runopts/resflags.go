package runopts

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"

	"berth/engine"
)

// resFlags are docker run's resource and process flags beyond the basic
// limits: the engine's resflags.go applies them.
type resFlags struct {
	ulimits, groupAdd, sysctls, attach     []string
	readBps, writeBps, readIOps, writeIOps []string
	logDriver, platform, cidfile           string
	shmSize, memoryReservation             MemoryValue
	oomScoreAdj                            int
	oomKillDisable                         bool
	cpuPeriod, cpuQuota                    int64
	blkioWeight                            uint16
}

func (r *resFlags) register(flags *pflag.FlagSet) {
	flags.StringArrayVar(&r.ulimits, "ulimit", nil, "ulimit options: NAME=SOFT[:HARD], e.g. nofile=1024:2048")
	flags.Var(&r.shmSize, "shm-size", "size of /dev/shm (default 64m)")
	flags.StringArrayVar(&r.groupAdd, "group-add", nil, "add additional groups to join (a name in the image's /etc/group, or a GID)")
	flags.StringArrayVar(&r.sysctls, "sysctl", nil, "namespaced kernel parameters: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* (KEY=VALUE)")
	flags.StringVar(&r.logDriver, "log-driver", "", "logging driver for the container: json-file (default), local or none")
	flags.StringArrayVarP(&r.attach, "attach", "a", nil, "attach to STDIN, STDOUT or STDERR")
	flags.StringVar(&r.platform, "platform", "", "platform the image must have: os[/arch[/variant]]")
	flags.Var(&r.memoryReservation, "memory-reservation", "memory soft limit")
	flags.IntVar(&r.oomScoreAdj, "oom-score-adj", 0, "tune host's OOM preferences (-1000 to 1000)")
	flags.BoolVar(&r.oomKillDisable, "oom-kill-disable", false, "disable OOM killer (cgroup v1 only)")
	flags.Int64Var(&r.cpuPeriod, "cpu-period", 0, "limit CPU CFS (Completely Fair Scheduler) period")
	flags.Int64Var(&r.cpuQuota, "cpu-quota", 0, "limit CPU CFS (Completely Fair Scheduler) quota")
	flags.Uint16Var(&r.blkioWeight, "blkio-weight", 0, "block IO (relative weight), between 10 and 1000, or 0 to disable")
	flags.StringArrayVar(&r.readBps, "device-read-bps", nil, "limit read rate (bytes per second) from a device: DEVICE:RATE[kb|mb|gb]")
	flags.StringArrayVar(&r.writeBps, "device-write-bps", nil, "limit write rate (bytes per second) to a device: DEVICE:RATE[kb|mb|gb]")
	flags.StringArrayVar(&r.readIOps, "device-read-iops", nil, "limit read rate (IO per second) from a device: DEVICE:RATE")
	flags.StringArrayVar(&r.writeIOps, "device-write-iops", nil, "limit write rate (IO per second) to a device: DEVICE:RATE")
	flags.StringVar(&r.cidfile, "cidfile", "", "write the container ID to the file")
}

// apply puts the flags into opts; detach is run's -d.
func (r *resFlags) apply(detach bool, opts *engine.CreateOptions) error {
	hc, cc := &opts.HostConfig, &opts.Config
	for _, u := range r.ulimits {
		ul, err := units.ParseUlimit(u)
		if err != nil {
			return fmt.Errorf("invalid argument %q for \"--ulimit\" flag: %w", u, err)
		}
		// One entry per name, the last one winning, as docker's.
		hc.Ulimits = slices.DeleteFunc(hc.Ulimits, func(o *units.Ulimit) bool { return o.Name == ul.Name })
		hc.Ulimits = append(hc.Ulimits, ul)
	}
	hc.ShmSize = r.shmSize.Bytes
	hc.GroupAdd = r.groupAdd
	for _, s := range r.sysctls {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return fmt.Errorf("invalid argument %q for \"--sysctl\" flag: sysctl '%s' is not allowed", s, s)
		}
		if hc.Sysctls == nil {
			hc.Sysctls = map[string]string{}
		}
		hc.Sysctls[k] = v
	}
	if r.logDriver != "" {
		hc.LogConfig.Type = r.logDriver
	}
	if err := r.applyAttach(detach, cc); err != nil {
		return err
	}
	opts.Platform = r.platform
	hc.MemoryReservation = r.memoryReservation.Bytes
	hc.OomScoreAdj = r.oomScoreAdj
	if r.oomKillDisable {
		hc.OomKillDisable = &r.oomKillDisable
	}
	hc.CPUPeriod, hc.CPUQuota = r.cpuPeriod, r.cpuQuota
	hc.BlkioWeight = r.blkioWeight
	lists := []struct {
		flag string
		in   []string
		iops bool
		out  *[]engine.ThrottleDevice
	}{
		{"device-read-bps", r.readBps, false, &hc.BlkioDeviceReadBps},
		{"device-write-bps", r.writeBps, false, &hc.BlkioDeviceWriteBps},
		{"device-read-iops", r.readIOps, true, &hc.BlkioDeviceReadIOps},
		{"device-write-iops", r.writeIOps, true, &hc.BlkioDeviceWriteIOps},
	}
	for _, l := range lists {
		for _, s := range l.in {
			d, err := parseThrottleDevice(s, l.iops)
			if err != nil {
				return fmt.Errorf("invalid argument %q for \"--%s\" flag: %w", s, l.flag, err)
			}
			*l.out = append(*l.out, d)
		}
	}
	hc.ContainerIDFile = r.cidfile
	return nil
}

// applyAttach sets which streams run attaches, with docker's rules: -a
// names them (stdin also with -i); none named means stdout and stderr;
// -d attaches none and conflicts with -a.
func (r *resFlags) applyAttach(detach bool, cc *engine.ContainerConfig) error {
	if len(r.attach) == 0 {
		return nil
	}
	if detach {
		return errors.New("conflicting options: cannot specify both --attach and --detach")
	}
	cc.AttachStdout, cc.AttachStderr = false, false
	for _, a := range r.attach {
		switch strings.ToLower(a) {
		case "stdin":
			cc.AttachStdin = true
		case "stdout":
			cc.AttachStdout = true
		case "stderr":
			cc.AttachStderr = true
		default:
			return fmt.Errorf("invalid argument %q for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", a)
		}
	}
	cc.StdinOnce = cc.AttachStdin && cc.OpenStdin
	return nil
}

const rateFormat = "The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb"

// parseThrottleDevice parses DEVICE:RATE as docker does: a path under
// /dev/, a rate in bytes (with units) or, for iops, a plain number.
func parseThrottleDevice(s string, iops bool) (engine.ThrottleDevice, error) {
	path, rate, ok := strings.Cut(s, ":")
	if !ok || path == "" {
		return engine.ThrottleDevice{}, fmt.Errorf("bad format: %s", s)
	}
	if !strings.HasPrefix(path, "/dev/") {
		return engine.ThrottleDevice{}, fmt.Errorf("bad format for device path: %s", s)
	}
	if iops {
		n, err := strconv.ParseUint(rate, 10, 64)
		if err != nil {
			return engine.ThrottleDevice{}, fmt.Errorf("invalid rate for device: %s. The correct format is <device-path>:<number>. Number must be a positive integer", s)
		}
		return engine.ThrottleDevice{Path: path, Rate: n}, nil
	}
	n, err := units.RAMInBytes(rate)
	if err != nil || n < 0 {
		return engine.ThrottleDevice{}, fmt.Errorf("invalid rate for device: %s. %s", s, rateFormat)
	}
	return engine.ThrottleDevice{Path: path, Rate: uint64(n)}, nil
}

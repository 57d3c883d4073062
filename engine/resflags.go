package engine

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/engine/containerinit"
	"berth/engine/jsonlog"
	"berth/images"
	"berth/ptyexec/nsenter"
)

// This file holds docker run's resource and process flags beyond the
// basic limits: --memory-reservation, --oom-kill-disable, --cpu-period,
// --cpu-quota, --blkio-weight, --device-{read,write}-{bps,iops},
// --ulimit, --shm-size, --group-add, --sysctl, --oom-score-adj,
// --log-driver and --platform: their checks and defaults at create, and
// what the cgroup, the init and exec'd processes get from them.

// ThrottleDevice is one --device-read-bps and friends: a host device
// and its rate (bytes or operations per second), as docker's API has it.
type ThrottleDevice struct {
	Path string `json:"Path"`
	Rate uint64 `json:"Rate"`
}

// defaultShmSize is docker's size of /dev/shm.
const defaultShmSize = 64 << 20

// Log drivers berth has: json-file, local (berth writes it in the
// json-file format; nothing outside berth reads docker's local format)
// and none.
const (
	logDriverJSONFile = "json-file"
	logDriverLocal    = "local"
	logDriverNone     = "none"
)

// ErrLogsNotReadable is `logs` of a container whose log driver keeps
// nothing.
var ErrLogsNotReadable = errors.New("configured logging driver does not support reading")

func checkLogDriver(name string) error {
	switch name {
	case "", logDriverJSONFile, logDriverLocal, logDriverNone:
		return nil
	case "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries":
		return invalidf("log driver %q is not supported: berth has json-file, local and none", name)
	}
	return invalidf("logger: no log driver named '%s' is registered", name)
}

// adaptResourceFlags refuses what docker refuses among these flags, sets
// docker's defaults (MemorySwap twice Memory, ShmSize 64 MiB,
// OomKillDisable false), and drops with a warning what the host's
// cgroups cannot apply, as docker does (warnf says what).
func (e *Engine) adaptResourceFlags(hc *HostConfig, warnf func(format string, args ...any)) error {
	r := &hc.Resources
	if err := checkCPUAndReservation(*r); err != nil {
		return err
	}
	switch {
	case hc.ShmSize < 0:
		return invalidf("SHM size can not be less than 0")
	case hc.OomScoreAdj < -1000 || hc.OomScoreAdj > 1000:
		return invalidf("Invalid value %d, range for oom score adj is [-1000, 1000]", hc.OomScoreAdj)
	}
	for k, v := range hc.Sysctls {
		if err := containerinit.CheckSysctl(k+"="+v, containerinit.SysctlNamespaces{
			OwnNetwork: hc.NetworkMode != "host",
			OwnIPC:     hc.IpcMode != ModeHost && containerRef(hc.IpcMode) == "",
		}); err != nil {
			return invalidf("%v", err)
		}
	}
	if _, err := rlimits(r.Ulimits); err != nil {
		return err
	}
	// The throttled devices are looked up at start (blockIO), as docker's:
	// create takes any /dev/ path the CLI let through.
	if err := checkLogDriver(hc.LogConfig.Type); err != nil {
		return err
	}

	if r.Memory > 0 && r.MemorySwap == 0 {
		r.MemorySwap = 2 * r.Memory
	}
	if hc.ShmSize == 0 {
		hc.ShmSize = defaultShmSize
	}
	if r.OomKillDisable == nil {
		r.OomKillDisable = new(bool)
	}
	f, err := cgroups.Probe(e.opts.CgroupRoot)
	if err != nil {
		return nil // the start reports a host without cgroups
	}
	if r.Memory > 0 && r.MemorySwap != -1 && !f.SwapLimit {
		warnf("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.")
		r.MemorySwap = -1
	}
	if r.MemoryReservation > 0 && !f.MemoryReservation {
		warnf("Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.")
		r.MemoryReservation = 0
	}
	if *r.OomKillDisable && !f.OomKillDisable {
		warnf("Your kernel does not support OomKillDisable. OomKillDisable discarded.")
		*r.OomKillDisable = false
	}
	if *r.OomKillDisable && r.Memory == 0 {
		warnf("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.")
	}
	if r.BlkioWeight > 0 && !f.BlkioWeight {
		warnf("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
		r.BlkioWeight = 0
	}
	if r.BlkioWeight > 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000) {
		return invalidf("Range of blkio weight is from 10 to 1000")
	}
	if !f.BlkioThrottle {
		for _, t := range throttleLists(r) {
			if len(*t.field) > 0 {
				warnf("Your kernel does not support %s or the cgroup is not mounted. %s discarded.", t.what, t.dropped)
				*t.field = nil
			}
		}
	}
	return nil
}

// checkCPUAndReservation is docker's rule (verifyContainerResources) for
// the CFS period and quota and the memory soft limit, at create and at
// update alike.
func checkCPUAndReservation(r Resources) error {
	switch {
	case r.NanoCPUs > 0 && r.CPUPeriod > 0:
		return invalidf("Conflicting options: Nano CPUs and CPU Period cannot both be set")
	case r.NanoCPUs > 0 && r.CPUQuota > 0:
		return invalidf("Conflicting options: Nano CPUs and CPU Quota cannot both be set")
	case r.CPUPeriod != 0 && (r.CPUPeriod < 1000 || r.CPUPeriod > 1000000):
		return invalidf("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
	case r.CPUQuota > 0 && r.CPUQuota < 1000:
		return invalidf("CPU cfs quota can not be less than 1ms (i.e. 1000)")
	case r.MemoryReservation < 0 || (r.MemoryReservation > 0 && r.MemoryReservation < 6*1024*1024):
		return invalidf("Minimum memory reservation allowed is 6MB")
	case r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation:
		return invalidf("Minimum memory limit can not be less than memory reservation limit, see usage")
	}
	return nil
}

// throttleList is one of the four throttle settings.
type throttleList struct {
	flag, what, dropped string
	field               *[]ThrottleDevice
	list                []ThrottleDevice
}

func throttleLists(r *Resources) [4]throttleList {
	return [4]throttleList{
		{"device-read-bps", "BPS Block I/O read limit", "Block I/O BPS read limit", &r.BlkioDeviceReadBps, r.BlkioDeviceReadBps},
		{"device-write-bps", "BPS Block I/O write limit", "Block I/O BPS write limit", &r.BlkioDeviceWriteBps, r.BlkioDeviceWriteBps},
		{"device-read-iops", "IOPS Block read limit", "Block I/O IOPS read limit", &r.BlkioDeviceReadIOps, r.BlkioDeviceReadIOps},
		{"device-write-iops", "IOPS Block write limit", "Block I/O IOPS write limit", &r.BlkioDeviceWriteIOps, r.BlkioDeviceWriteIOps},
	}
}

// blockDevice is the device numbers of a host block device node.
func blockDevice(path string) (cgroups.Throttle, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return cgroups.Throttle{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return cgroups.Throttle{}, fmt.Errorf("%s is not a block device", path)
	}
	return cgroups.Throttle{Major: unix.Major(st.Rdev), Minor: unix.Minor(st.Rdev)}, nil
}

// blockIO is the cgroup's part of the blkio settings, the devices looked
// up again at each start (their numbers may change across reboots).
func blockIO(r Resources) (cgroups.BlockIO, error) {
	b := cgroups.BlockIO{Weight: r.BlkioWeight}
	dst := [4]*[]cgroups.Throttle{&b.ReadBps, &b.WriteBps, &b.ReadIOps, &b.WriteIOps}
	for i, t := range throttleLists(&r) {
		for _, d := range t.list {
			th, err := blockDevice(d.Path)
			if err != nil {
				return b, fmt.Errorf("--%s: %w", t.flag, err)
			}
			th.Rate = d.Rate
			*dst[i] = append(*dst[i], th)
		}
	}
	return b, nil
}

// addResourceFlags adds these flags' limits to the cgroup's. Docker's
// default swap (twice the memory) is the cgroup package's default too,
// which a host without swap accounting ignores instead of refusing.
func addResourceFlags(cr *cgroups.Resources, r Resources) {
	if r.Memory > 0 && r.MemorySwap == 2*r.Memory {
		cr.MemorySwap = 0
	}
	if r.NanoCPUs == 0 {
		cr.CPUPeriod, cr.CPUQuota = uint64(max(r.CPUPeriod, 0)), r.CPUQuota
	}
	cr.MemoryReservation = r.MemoryReservation
	cr.OomKillDisable = r.OomKillDisable != nil && *r.OomKillDisable
}

// rlimits turns --ulimit entries into the limits the init sets.
func rlimits(ulimits []*units.Ulimit) ([]nsenter.Rlimit, error) {
	var out []nsenter.Rlimit
	for _, u := range ulimits {
		if u == nil {
			continue
		}
		rl, err := u.GetRlimit()
		if err != nil {
			return nil, invalidf("invalid ulimit %s: %v", u.Name, err)
		}
		if u.Soft > u.Hard && u.Hard >= 0 {
			return nil, invalidf("ulimit soft limit must be less than or equal to hard limit: %d > %d", u.Soft, u.Hard)
		}
		out = append(out, nsenter.Rlimit{Resource: rl.Type, Soft: rl.Soft, Hard: rl.Hard})
	}
	return out, nil
}

// processSettings fills in what the container's init applies from these
// flags.
func processSettings(cfg *containerinit.Config, hc HostConfig) error {
	rl, err := rlimits(hc.Ulimits)
	if err != nil {
		return err
	}
	cfg.Rlimits = rl
	cfg.Sysctls = hc.Sysctls
	if hc.OomScoreAdj != 0 {
		adj := hc.OomScoreAdj
		cfg.OOMScoreAdj = &adj
	}
	cfg.ShmSize = hc.ShmSize
	cfg.GroupAdd = hc.GroupAdd
	return nil
}

// openLog opens the container's log as its driver says.
func openLog(c *record, opts jsonlog.Options) (*jsonlog.Writer, error) {
	if c.HostConfig.LogConfig.Type == logDriverNone {
		return jsonlog.Discard()
	}
	return jsonlog.New(c.LogPath, opts)
}

// checkPlatform refuses an image whose platform is not the one asked for
// (--platform os[/arch[/variant]]), with docker's message.
func checkPlatform(want string, img *images.Image, ref string) error {
	if want == "" {
		return nil
	}
	parts := strings.Split(strings.ToLower(want), "/")
	if len(parts) > 3 || parts[0] == "" {
		return invalidf("%q: unknown operating system or architecture: invalid argument", want)
	}
	os, arch := parts[0], runtime.GOARCH
	if len(parts) > 1 {
		arch = normalizeArch(parts[1])
	}
	imgOS, imgArch := img.OS, normalizeArch(img.Arch)
	if imgOS == "" {
		imgOS = "linux"
	}
	if imgArch == "" {
		imgArch = runtime.GOARCH
	}
	if os != imgOS || arch != imgArch {
		return fmt.Errorf("image with reference %s was found but its platform (%s/%s) does not match the specified platform (%s/%s): %w",
			ref, imgOS, imgArch, os, arch, images.ErrNotFound)
	}
	return nil
}

func normalizeArch(a string) string {
	switch a {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return a
}

// execProcess is what an exec'd process gets from these flags, as
// docker gives it: the container's ulimits, its OOM score adjustment
// and the --group-add groups on top of the user's.
func execProcess(hc HostConfig, u containerinit.User, group []byte) (groups []uint32, rl []nsenter.Rlimit, err error) {
	extra, err := containerinit.AdditionalGroups(hc.GroupAdd, strings.NewReader(string(group)))
	if err != nil {
		return nil, nil, err
	}
	for _, g := range u.SupplementaryGroups(extra) {
		groups = append(groups, uint32(g))
	}
	if rl, err = rlimits(hc.Ulimits); err != nil {
		return nil, nil, err
	}
	return groups, rl, nil
}

// setOOMScoreAdj writes the container's --oom-score-adj to an exec'd
// process before it runs its command.
func setOOMScoreAdj(pid, adj int) error {
	if adj == 0 {
		return nil
	}
	path := fmt.Sprintf("/proc/%d/oom_score_adj", pid)
	if err := os.WriteFile(path, []byte(fmt.Sprint(adj)), 0); err != nil {
		return fmt.Errorf("set oom_score_adj of %d: %w", pid, err)
	}
	return nil
}

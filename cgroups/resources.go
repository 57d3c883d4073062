package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Resources are the limits of one group, each field with the meaning of
// the docker run flag of the same name. The zero value of every field
// means "no limit" (or the kernel's default), so Update with a zero field
// removes that limit: Update sets the whole state, it does not merge.
type Resources struct {
	// Memory is the memory limit in bytes (-m). Docker's minimum of
	// 6 MiB applies.
	Memory int64
	// MemorySwap is the memory plus swap limit (--memory-swap): 0 leaves
	// it to docker's default of twice Memory, -1 allows unlimited swap, a
	// value equal to Memory allows no swap. A positive value needs Memory
	// and must not be below it.
	MemorySwap int64
	// CPUQuota is the CPU time in µs the group may use per period
	// (--cpu-quota; --cpus 1.5 is 150000 with the default period). 0 or
	// -1 means no limit; otherwise at least 1000.
	CPUQuota int64
	// CPUPeriod is the CFS period in µs (--cpu-period), 1000 to 1000000;
	// 0 means 100000.
	CPUPeriod uint64
	// CPUShares is the relative CPU weight (--cpu-shares), 1024 when 0.
	// Values outside the kernel's 2…262144 are clamped, as docker and the
	// kernel do. On v2 it becomes cpu.weight by runc's conversion.
	CPUShares uint64
	// CpusetCpus lists the CPUs the group may run on (--cpuset-cpus,
	// "0-2,4"); empty means all of the parent's.
	CpusetCpus string
	// CpusetMems lists the memory nodes (--cpuset-mems); empty means all
	// of the parent's.
	CpusetMems string
	// PidsLimit caps the number of processes and threads (--pids-limit);
	// 0 or negative means unlimited.
	PidsLimit int64
	// Devices are the rules deciding which device nodes the group's
	// processes may create, read and write (devices.go): usually
	// DefaultDeviceRules plus --device and --device-cgroup-rule entries.
	// nil means no filter, every device allowed (--privileged). v1 writes
	// them to the devices controller; v2 attaches an eBPF program built
	// from them (devicefilter.go) to the group.
	Devices []DeviceRule

	// The settings below are written only when set: unlike the ones
	// above, a zero value leaves the kernel's value as it is.

	// MemoryReservation is the memory soft limit in bytes
	// (--memory-reservation): memory.soft_limit_in_bytes on v1,
	// memory.low on v2. Docker's minimum of 6 MiB applies, and it must
	// not be above Memory.
	MemoryReservation int64
	// OomKillDisable turns the OOM killer off for the group
	// (--oom-kill-disable): memory.oom_control on v1. v2 has no such
	// switch: asking for it there is a SettingError (ErrNoController);
	// docker warns and ignores it, which is the caller's part (Probe).
	OomKillDisable bool
	// BlockIO are the --blkio-weight and --device-*-bps/iops settings
	// (blockio.go).
	BlockIO BlockIO
}

// Docker's bounds (moby daemon/daemon_unix.go) and the kernel's defaults.
const (
	minMemory        = 6 << 20
	defaultCPUPeriod = 100000
	minCPUPeriod     = 1000
	maxCPUPeriod     = 1000000
	minCPUQuota      = 1000
	minCPUShares     = 2
	maxCPUShares     = 262144
	defaultCPUShares = 1024
	maxCPUWeight     = 10000
	defaultCPUWeight = 100
	maxCPUListID     = 1 << 16
)

func invalid(setting string, value any, format string, args ...any) error {
	return &SettingError{
		Setting: setting,
		Value:   fmt.Sprint(value),
		Err:     fmt.Errorf("%w: "+format, append([]any{ErrInvalidValue}, args...)...),
	}
}

// validate rejects what docker rejects, before anything is written.
func (r Resources) validate() error {
	switch {
	case r.Memory < 0:
		return invalid("memory", r.Memory, "must not be negative")
	case r.Memory > 0 && r.Memory < minMemory:
		return invalid("memory", r.Memory, "below the minimum of 6 MiB")
	case r.MemorySwap < -1:
		return invalid("memory-swap", r.MemorySwap, "must be -1 (unlimited), 0 (default) or a limit")
	case r.MemorySwap > 0 && r.Memory == 0:
		return invalid("memory-swap", r.MemorySwap, "needs a memory limit too")
	case r.MemorySwap > 0 && r.MemorySwap < r.Memory:
		return invalid("memory-swap", r.MemorySwap, "below the memory limit %d", r.Memory)
	case r.CPUQuota < -1:
		return invalid("cpu-quota", r.CPUQuota, "must be -1 (unlimited), 0 (unlimited) or a quota")
	case r.CPUQuota > 0 && r.CPUQuota < minCPUQuota:
		return invalid("cpu-quota", r.CPUQuota, "below the minimum of 1000 µs")
	case r.CPUPeriod != 0 && (r.CPUPeriod < minCPUPeriod || r.CPUPeriod > maxCPUPeriod):
		return invalid("cpu-period", r.CPUPeriod, "must be between 1000 and 1000000 µs")
	}
	if _, err := parseCPUList(r.CpusetCpus); err != nil {
		return invalid("cpuset-cpus", r.CpusetCpus, "%v", err)
	}
	for _, d := range r.Devices {
		if err := d.validate(); err != nil {
			return err
		}
	}
	if _, err := parseCPUList(r.CpusetMems); err != nil {
		return invalid("cpuset-mems", r.CpusetMems, "%v", err)
	}
	switch {
	case r.MemoryReservation < 0:
		return invalid("memory-reservation", r.MemoryReservation, "must not be negative")
	case r.MemoryReservation > 0 && r.MemoryReservation < minMemory:
		return invalid("memory-reservation", r.MemoryReservation, "below the minimum of 6 MiB")
	case r.Memory > 0 && r.MemoryReservation > r.Memory:
		return invalid("memory-reservation", r.MemoryReservation, "above the memory limit %d", r.Memory)
	}
	return r.BlockIO.validate()
}

// write is one value written into one file of the group's directory.
type write struct {
	setting string // docker's flag name, for errors
	asked   string // the value as the caller gave it, for errors
	ctrl    string // the v1 hierarchy or v2 controller that owns file
	file    string
	value   string
	// reset marks a write that only restores the default because the
	// field was zero: it is skipped when the controller or file is
	// missing, where an asked-for limit is an error.
	reset bool
}

// hostLimits is what the plans need to know about the host and the
// group's parent.
type hostLimits struct {
	// swapAccounting tells whether memory.memsw.* (v1) or
	// memory.swap.max (v2) exist.
	swapAccounting bool
	// memswLimit is the group's current memory.memsw.limit_in_bytes on
	// v1, -1 when unlimited; it decides the order of the memory writes.
	memswLimit int64
	// cpus and mems are what the parent allows, e.g. "0-3" and "0"; empty
	// when unknown. v1 copies them into an empty cpuset; asked-for sets
	// must lie inside them.
	cpus, mems string
	// blkioWeightFile is the group's weight file: blkio.weight or
	// blkio.bfq.weight on v1, io.bfq.weight or io.weight on v2; empty
	// when the kernel has none.
	blkioWeightFile string
}

// planV1 turns r into the cgroup v1 file writes, in the order they must
// be made.
func planV1(r Resources, h hostLimits) ([]write, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if err := checkCpuset(r, h); err != nil {
		return nil, err
	}
	ws := make([]write, 0, 8)

	memory := limitOrUnlimited(r.Memory)
	memW := write{setting: "memory", asked: itoa(r.Memory), ctrl: "memory",
		file: "memory.limit_in_bytes", value: itoa(memory), reset: r.Memory == 0}
	switch {
	case h.swapAccounting:
		swap := r.MemorySwap
		if swap == 0 {
			swap = -1
			if r.Memory > 0 {
				swap = 2 * r.Memory // docker's default: as much swap as memory
			}
		}
		swapW := write{setting: "memory-swap", asked: itoa(r.MemorySwap), ctrl: "memory",
			file: "memory.memsw.limit_in_bytes", value: itoa(swap), reset: r.MemorySwap == 0}
		// The kernel keeps memsw >= memory at every step: raise memsw
		// first when the new memory limit is above the current memsw.
		if exceeds(memory, h.memswLimit) {
			ws = append(ws, swapW, memW)
		} else {
			ws = append(ws, memW, swapW)
		}
	case r.MemorySwap > 0:
		return nil, &SettingError{Setting: "memory-swap", Value: itoa(r.MemorySwap), Err: ErrNoSwapAccounting}
	default:
		// Without swap accounting (swapaccount=0 or no CONFIG_MEMCG_SWAP)
		// docker ignores the default and unlimited swap settings, and so
		// do we: only memory is limited.
		ws = append(ws, memW)
	}

	period := r.CPUPeriod
	if period == 0 {
		period = defaultCPUPeriod
	}
	ws = append(ws,
		write{setting: "cpu-period", asked: utoa(r.CPUPeriod), ctrl: "cpu",
			file: "cpu.cfs_period_us", value: utoa(period), reset: r.CPUPeriod == 0 && r.CPUQuota <= 0},
		write{setting: "cpu-quota", asked: itoa(r.CPUQuota), ctrl: "cpu",
			file: "cpu.cfs_quota_us", value: itoa(limitOrUnlimited(r.CPUQuota)), reset: r.CPUQuota <= 0},
		write{setting: "cpu-shares", asked: utoa(r.CPUShares), ctrl: "cpu",
			file: "cpu.shares", value: utoa(clampShares(r.CPUShares)), reset: r.CPUShares == 0},
		// v1 needs both cpuset files filled before a process may join.
		write{setting: "cpuset-cpus", asked: r.CpusetCpus, ctrl: "cpuset",
			file: "cpuset.cpus", value: orDefault(r.CpusetCpus, h.cpus), reset: r.CpusetCpus == ""},
		write{setting: "cpuset-mems", asked: r.CpusetMems, ctrl: "cpuset",
			file: "cpuset.mems", value: orDefault(r.CpusetMems, h.mems), reset: r.CpusetMems == ""},
		pidsWrite(r),
	)
	if r.MemoryReservation > 0 {
		ws = append(ws, write{setting: "memory-reservation", asked: itoa(r.MemoryReservation), ctrl: "memory",
			file: "memory.soft_limit_in_bytes", value: itoa(r.MemoryReservation)})
	}
	if r.OomKillDisable {
		ws = append(ws, write{setting: "oom-kill-disable", asked: "true", ctrl: "memory",
			file: "memory.oom_control", value: "1"})
	}
	return append(ws, r.BlockIO.writesV1(h.blkioWeightFile)...), nil
}

// planV2 turns r into the cgroup v2 file writes.
func planV2(r Resources, h hostLimits) ([]write, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if err := checkCpuset(r, h); err != nil {
		return nil, err
	}
	ws := make([]write, 0, 8)

	ws = append(ws, write{setting: "memory", asked: itoa(r.Memory), ctrl: "memory",
		file: "memory.max", value: maxOr(r.Memory), reset: r.Memory == 0})
	// memory.swap.max is swap alone, docker's --memory-swap is the total.
	swap := "max"
	switch {
	case r.MemorySwap > 0:
		swap = itoa(r.MemorySwap - r.Memory)
	case r.MemorySwap == 0 && r.Memory > 0:
		swap = itoa(r.Memory) // docker's default: as much swap as memory
	}
	switch {
	case h.swapAccounting:
		ws = append(ws, write{setting: "memory-swap", asked: itoa(r.MemorySwap), ctrl: "memory",
			file: "memory.swap.max", value: swap, reset: r.MemorySwap == 0})
	case r.MemorySwap > 0:
		return nil, &SettingError{Setting: "memory-swap", Value: itoa(r.MemorySwap), Err: ErrNoSwapAccounting}
	default:
		// Without swap accounting docker ignores default and unlimited
		// swap; so do we.
	}

	period := r.CPUPeriod
	if period == 0 {
		period = defaultCPUPeriod
	}
	cpuSetting, cpuAsked := "cpu-quota", itoa(r.CPUQuota)
	if r.CPUQuota <= 0 && r.CPUPeriod != 0 {
		cpuSetting, cpuAsked = "cpu-period", utoa(r.CPUPeriod)
	}
	weight := uint64(defaultCPUWeight)
	if r.CPUShares != 0 {
		weight = sharesToWeight(r.CPUShares)
	}
	ws = append(ws,
		write{setting: cpuSetting, asked: cpuAsked, ctrl: "cpu",
			file: "cpu.max", value: maxOr(r.CPUQuota) + " " + utoa(period), reset: r.CPUQuota <= 0 && r.CPUPeriod == 0},
		write{setting: "cpu-shares", asked: utoa(r.CPUShares), ctrl: "cpu",
			file: "cpu.weight", value: utoa(weight), reset: r.CPUShares == 0},
		// An empty cpuset means the parent's; a lone newline clears it
		// (a zero-length write may never reach the kernel's handler).
		write{setting: "cpuset-cpus", asked: r.CpusetCpus, ctrl: "cpuset",
			file: "cpuset.cpus", value: orDefault(r.CpusetCpus, "\n"), reset: r.CpusetCpus == ""},
		write{setting: "cpuset-mems", asked: r.CpusetMems, ctrl: "cpuset",
			file: "cpuset.mems", value: orDefault(r.CpusetMems, "\n"), reset: r.CpusetMems == ""},
		pidsWrite(r),
	)
	if r.MemoryReservation > 0 {
		ws = append(ws, write{setting: "memory-reservation", asked: itoa(r.MemoryReservation), ctrl: "memory",
			file: "memory.low", value: itoa(r.MemoryReservation)})
	}
	if r.OomKillDisable {
		return nil, &SettingError{Setting: "oom-kill-disable", Value: "true",
			Err: fmt.Errorf("%w: cgroup v2 has no switch for the OOM killer", ErrNoController)}
	}
	return append(ws, r.BlockIO.writesV2(h.blkioWeightFile)...), nil
}

func pidsWrite(r Resources) write {
	return write{setting: "pids-limit", asked: itoa(r.PidsLimit), ctrl: "pids",
		file: "pids.max", value: maxOr(r.PidsLimit), reset: r.PidsLimit <= 0}
}

// checkCpuset refuses CPUs or memory nodes the parent does not have, as
// docker does ("requested CPUs are not available").
func checkCpuset(r Resources, h hostLimits) error {
	check := func(setting, asked, avail string) error {
		if asked == "" || avail == "" {
			return nil
		}
		want, err := parseCPUList(asked)
		if err != nil {
			return invalid(setting, asked, "%v", err)
		}
		have, err := parseCPUList(avail)
		if err != nil {
			return fmt.Errorf("parse parent's %s %q: %w", setting, avail, err)
		}
		if !want.subsetOf(have) {
			return invalid(setting, asked, "not available, the parent allows %s", avail)
		}
		return nil
	}
	if err := check("cpuset-cpus", r.CpusetCpus, h.cpus); err != nil {
		return err
	}
	return check("cpuset-mems", r.CpusetMems, h.mems)
}

// sharesToWeight converts v1 cpu.shares (2…262144, default 1024) to v2
// cpu.weight (1…10000, default 100) with the log-quadratic curve runc
// uses since 1.3.2, which keeps the defaults and the ends of both ranges
// on each other.
func sharesToWeight(shares uint64) uint64 {
	switch {
	case shares <= minCPUShares:
		return 1
	case shares >= maxCPUShares:
		return maxCPUWeight
	}
	l := math.Log2(float64(shares))
	exponent := (l*l+125*l)/612 - 7.0/34
	return uint64(math.Ceil(math.Pow(10, exponent)))
}

func clampShares(shares uint64) uint64 {
	switch {
	case shares == 0:
		return defaultCPUShares
	case shares < minCPUShares:
		return minCPUShares
	case shares > maxCPUShares:
		return maxCPUShares
	}
	return shares
}

// limitOrUnlimited maps "no limit" (0 or -1) to v1's -1.
func limitOrUnlimited(v int64) int64 {
	if v <= 0 {
		return -1
	}
	return v
}

// maxOr maps "no limit" (0 or negative) to v2's "max".
func maxOr(v int64) string {
	if v <= 0 {
		return "max"
	}
	return itoa(v)
}

// exceeds compares two v1 limits where -1 means unlimited.
func exceeds(a, b int64) bool {
	switch {
	case a == -1:
		return b != -1
	case b == -1:
		return false
	}
	return a > b
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func itoa(v int64) string  { return strconv.FormatInt(v, 10) }
func utoa(v uint64) string { return strconv.FormatUint(v, 10) }

// cpuSet is a set of CPU or memory node numbers.
type cpuSet []uint64

// parseCPUList parses the kernel's list format, e.g. "0-3,5,7-8". The
// empty list is valid and empty.
func parseCPUList(s string) (cpuSet, error) {
	var set cpuSet
	s = strings.TrimSpace(s)
	if s == "" {
		return set, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := parseCPUID(lo)
		if err != nil {
			return nil, err
		}
		last := first
		if isRange {
			if last, err = parseCPUID(hi); err != nil {
				return nil, err
			}
			if last < first {
				return nil, fmt.Errorf("range %q runs backwards", part)
			}
		}
		for id := first; id <= last; id++ {
			for int(id/64) >= len(set) {
				set = append(set, 0)
			}
			set[id/64] |= 1 << (id % 64)
		}
	}
	return set, nil
}

func parseCPUID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil || id >= maxCPUListID {
		return 0, fmt.Errorf("%q is not a CPU or node number", s)
	}
	return id, nil
}

func (s cpuSet) subsetOf(other cpuSet) bool {
	for i, word := range s {
		var o uint64
		if i < len(other) {
			o = other[i]
		}
		if word&^o != 0 {
			return false
		}
	}
	return true
}

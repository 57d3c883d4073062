package cgroups

import (
	"path/filepath"
	"strings"
)

// Features is what the host's cgroups can limit beyond memory, CPU and
// pids, as docker's sysinfo tells it: a setting the host cannot apply is
// dropped with a warning at create (docker's "Your kernel does not
// support …"), never an error at start.
type Features struct {
	Version Version
	// SwapLimit: memory.memsw.* on v1; the memory controller on v2.
	SwapLimit bool
	// MemoryReservation: memory.soft_limit_in_bytes on v1, memory.low
	// on v2 (the memory controller).
	MemoryReservation bool
	// OomKillDisable: memory.oom_control, v1 only.
	OomKillDisable bool
	// BlkioWeight: blkio.weight or blkio.bfq.weight on v1 (CFQ or BFQ
	// schedulers); the io controller on v2.
	BlkioWeight bool
	// BlkioThrottle: blkio.throttle.* on v1; the io controller on v2.
	BlkioThrottle bool
}

// Probe reads the Features of the cgroups mounted at mountRoot.
func Probe(mountRoot string) (Features, error) {
	v, err := Detect(mountRoot)
	if err != nil {
		return Features{}, err
	}
	f := Features{Version: v}
	if v == V2 {
		have, err := readString(mountRoot, "cgroup.controllers")
		if err != nil {
			return f, err
		}
		controllers := strings.Fields(have)
		for _, c := range controllers {
			switch c {
			case "memory":
				f.SwapLimit, f.MemoryReservation = true, true
			case "io":
				f.BlkioWeight, f.BlkioThrottle = true, true
			}
		}
		return f, nil
	}
	memory, blkio := filepath.Join(mountRoot, "memory"), filepath.Join(mountRoot, "blkio")
	f.SwapLimit = exists(filepath.Join(memory, "memory.memsw.limit_in_bytes"))
	f.MemoryReservation = exists(filepath.Join(memory, "memory.soft_limit_in_bytes"))
	f.OomKillDisable = exists(filepath.Join(memory, "memory.oom_control"))
	f.BlkioWeight = v1BlkioWeightFile(blkio) != ""
	f.BlkioThrottle = exists(filepath.Join(blkio, "blkio.throttle.read_bps_device"))
	return f, nil
}

// v1BlkioWeightFile is the weight file of a v1 blkio directory, "" when
// it has none.
func v1BlkioWeightFile(dir string) string {
	for _, f := range []string{"blkio.weight", "blkio.bfq.weight"} {
		if exists(filepath.Join(dir, f)) {
			return f
		}
	}
	return ""
}

// v2IOWeightFile is the weight file of a v2 group, "" when it has none.
func v2IOWeightFile(dir string) string {
	for _, f := range []string{"io.bfq.weight", "io.weight"} {
		if exists(filepath.Join(dir, f)) {
			return f
		}
	}
	return ""
}

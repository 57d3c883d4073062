package api

import (
	"strings"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
)

// UpdateOptions is what `docker update` sends (POST
// /containers/{id}/update) as berth's update: a zero field is one the
// client left alone, as dockerd reads it. A limit berth cannot change
// on a container is refused by name, never dropped in silence.
func UpdateOptions(cfg *container.UpdateConfig) (engine.UpdateOptions, error) {
	var opts engine.UpdateOptions
	res := &cfg.Resources
	set := func(v int64) *int64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	opts.Memory, opts.MemorySwap, opts.NanoCPUs, opts.CPUShares = set(res.Memory), set(res.MemorySwap), set(res.NanoCPUs), set(res.CPUShares)
	opts.CPUPeriod, opts.CPUQuota, opts.MemoryReservation = set(res.CPUPeriod), set(res.CPUQuota), set(res.MemoryReservation)
	opts.PidsLimit = res.PidsLimit
	if res.CpusetCpus != "" {
		opts.CpusetCpus = &res.CpusetCpus
	}
	if cfg.RestartPolicy.Name != "" {
		opts.RestartPolicy = &engine.RestartPolicy{Name: string(cfg.RestartPolicy.Name), MaximumRetryCount: cfg.RestartPolicy.MaximumRetryCount}
	}
	var refused []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"BlkioWeight", res.BlkioWeight != 0},
		{"BlkioWeightDevice", len(res.BlkioWeightDevice) > 0},
		{"BlkioDeviceReadBps", len(res.BlkioDeviceReadBps) > 0},
		{"BlkioDeviceWriteBps", len(res.BlkioDeviceWriteBps) > 0},
		{"BlkioDeviceReadIOps", len(res.BlkioDeviceReadIOps) > 0},
		{"BlkioDeviceWriteIOps", len(res.BlkioDeviceWriteIOps) > 0},
		{"CgroupParent", res.CgroupParent != ""},
		{"CpuRealtimePeriod", res.CPURealtimePeriod != 0},
		{"CpuRealtimeRuntime", res.CPURealtimeRuntime != 0},
		{"CpusetMems", res.CpusetMems != ""},
		{"Devices", len(res.Devices) > 0},
		{"DeviceCgroupRules", len(res.DeviceCgroupRules) > 0},
		{"DeviceRequests", len(res.DeviceRequests) > 0},
		{"MemorySwappiness", res.MemorySwappiness != nil && *res.MemorySwappiness != -1},
		{"OomKillDisable", res.OomKillDisable != nil},
		{"Ulimits", len(res.Ulimits) > 0},
		{"CpuCount", res.CPUCount != 0},
		{"CpuPercent", res.CPUPercent != 0},
		{"IOMaximumIOps", res.IOMaximumIOps != 0},
		{"IOMaximumBandwidth", res.IOMaximumBandwidth != 0},
	} {
		if f.set {
			refused = append(refused, f.name)
		}
	}
	if len(refused) > 0 {
		return opts, invalidf("berth cannot update %s of a container: recreate it with the new settings", strings.Join(refused, ", "))
	}
	return opts, nil
}

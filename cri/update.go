package cri

import (
	"context"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
)

// UpdateContainerResources changes a container's CPU shares, CFS quota
// and period, cpusets and memory limit through the engine's update (as
// `berth update`): a running container's cgroup at once, its record for
// the next start. A field left zero keeps its value, as containerd reads
// the request. Hugepage limits, unified (cgroup v2) keys, the OOM score
// and swap limit are not applied: the engine has no such settings.
func (r *runtimeService) UpdateContainerResources(ctx context.Context, req *runtimeapi.UpdateContainerResourcesRequest) (*runtimeapi.UpdateContainerResourcesResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if err != nil {
		return nil, grpcError(err)
	}
	if err := r.s.eng.Update(ctx, c.ID, updateOptions(req.GetLinux())); err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.UpdateContainerResourcesResponse{}, nil
}

// updateOptions are the engine's options for the request's set fields.
func updateOptions(lr *runtimeapi.LinuxContainerResources) engine.UpdateOptions {
	var o engine.UpdateOptions
	set := func(v int64) *int64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	o.Memory = set(lr.GetMemoryLimitInBytes())
	o.CPUShares = set(lr.GetCpuShares())
	o.CPUPeriod = set(lr.GetCpuPeriod())
	o.CPUQuota = set(lr.GetCpuQuota())
	if s := lr.GetCpusetCpus(); s != "" {
		o.CpusetCpus = &s
	}
	if s := lr.GetCpusetMems(); s != "" {
		o.CpusetMems = &s
	}
	return o
}

// containerResources are the limits ContainerStatus shows: the engine's
// record of them, so an update shows at once.
func containerResources(r engine.Resources) *runtimeapi.ContainerResources {
	return &runtimeapi.ContainerResources{Linux: &runtimeapi.LinuxContainerResources{
		CpuPeriod: r.CPUPeriod, CpuQuota: r.CPUQuota, CpuShares: r.CPUShares,
		MemoryLimitInBytes: r.Memory, CpusetCpus: r.CpusetCpus, CpusetMems: r.CpusetMems,
	}}
}

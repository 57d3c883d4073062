package cri

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/cgroups"
	"berth/engine"
	"berth/engine/network"
)

// Stats come from the same readers `berth stats` and the TUI use: the
// engine's Stats (the container's cgroup) for containers, the cgroups
// package for a pod's cgroup parent, and the network counters of the
// pod's namespace as one of its running containers sees them. A pod
// without a cgroup parent sums its containers. The writable layer is the
// image store's measure of the container's upper directory.

// podInterface is the name of a pod's interface on the bridge.
const podInterface = "eth0"

// ContainerStats is one container's CPU, memory and writable layer.
func (r *runtimeService) ContainerStats(ctx context.Context, req *runtimeapi.ContainerStatsRequest) (*runtimeapi.ContainerStatsResponse, error) {
	c, err := r.s.criContainer(ctx, req.GetContainerId())
	if err != nil {
		return nil, grpcError(err)
	}
	st, err := r.s.containerStats(ctx, c)
	if err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.ContainerStatsResponse{Stats: st}, nil
}

// ListContainerStats is the stats of the pods' containers the filter
// lets through (ID or a prefix, pod, labels); a container removed while
// it is read is left out.
func (r *runtimeService) ListContainerStats(ctx context.Context, req *runtimeapi.ListContainerStatsRequest) (*runtimeapi.ListContainerStatsResponse, error) {
	f := req.GetFilter()
	list, err := r.s.podContainers(ctx, f.GetPodSandboxId())
	if err != nil {
		return nil, grpcError(err)
	}
	resp := &runtimeapi.ListContainerStatsResponse{}
	for _, c := range list {
		if !containerMatches(c, f.GetId(), nil, f.GetLabelSelector()) {
			continue
		}
		st, err := r.s.containerStats(ctx, c)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, grpcError(err)
		}
		resp.Stats = append(resp.Stats, st)
	}
	return resp, nil
}

// PodSandboxStats is one pod's CPU, memory, network and process count,
// with its containers'.
func (r *runtimeService) PodSandboxStats(ctx context.Context, req *runtimeapi.PodSandboxStatsRequest) (*runtimeapi.PodSandboxStatsResponse, error) {
	sb, err := r.s.pods.find(req.GetPodSandboxId())
	if err != nil {
		return nil, grpcError(err)
	}
	st, err := r.s.podStats(ctx, sb)
	if err != nil {
		return nil, grpcError(err)
	}
	return &runtimeapi.PodSandboxStatsResponse{Stats: st}, nil
}

// ListPodSandboxStats is the stats of the ready pods the filter lets
// through (ID or a prefix, labels).
func (r *runtimeService) ListPodSandboxStats(ctx context.Context, req *runtimeapi.ListPodSandboxStatsRequest) (*runtimeapi.ListPodSandboxStatsResponse, error) {
	pods, errs := r.s.pods.list()
	for _, err := range errs {
		r.s.log.Warn("list pod sandbox stats", "err", err)
	}
	f := &runtimeapi.PodSandboxFilter{Id: req.GetFilter().GetId(), LabelSelector: req.GetFilter().GetLabelSelector(),
		State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY}}
	resp := &runtimeapi.ListPodSandboxStatsResponse{}
	for _, sb := range pods {
		if !podMatches(sb, f) {
			continue
		}
		st, err := r.s.podStats(ctx, sb)
		if err != nil {
			return nil, grpcError(err)
		}
		resp.Stats = append(resp.Stats, st)
	}
	return resp, nil
}

// containerStats reads c's counters; a container without a process
// shows zeros.
func (s *Server) containerStats(ctx context.Context, c *engine.Container) (*runtimeapi.ContainerStats, error) {
	st, err := s.eng.Stats(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	at := st.Time
	usage := uint64(max(st.CPUUsage, 0))
	cs := &runtimeapi.ContainerStats{
		Attributes: &runtimeapi.ContainerAttributes{Id: c.ID, Metadata: containerMetadata(c),
			Labels: criLabels(c), Annotations: criAnnotations(c)},
		Cpu: s.cpu.usage(c.ID, usage, at),
		Memory: memoryUsage(at, cgroups.Stats{MemoryUsage: st.MemoryUsage, MemoryCurrent: st.MemoryCurrent,
			MemoryRSS: st.MemoryRSS, PageFaults: st.PageFaults, MajorPageFaults: st.MajorPageFaults, MemoryLimit: st.MemoryLimit}),
	}
	cs.WritableLayer, err = s.writableLayer(c.ID, at)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("stats of container %s: %w", c.ID, engine.ErrNotFound) // removed meanwhile
	}
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// writableLayer is the bytes and inodes of the container's upper
// directory, on the image store's filesystem.
func (s *Server) writableLayer(id string, at time.Time) (*runtimeapi.FilesystemUsage, error) {
	store := s.eng.Images()
	dir, err := store.RootfsLayerDir(id)
	if err != nil {
		return nil, fmt.Errorf("stats of container %s: %w", id, err)
	}
	size, err := store.RootfsSize(id)
	if err != nil {
		return nil, fmt.Errorf("stats of container %s: %w", id, err)
	}
	inodes, err := countInodes(dir)
	if err != nil {
		return nil, fmt.Errorf("stats of container %s: %w", id, err)
	}
	return &runtimeapi.FilesystemUsage{Timestamp: at.UnixNano(),
		FsId:      &runtimeapi.FilesystemIdentifier{Mountpoint: store.Root()},
		UsedBytes: &runtimeapi.UInt64Value{Value: uint64(max(size, 0))}, InodesUsed: &runtimeapi.UInt64Value{Value: inodes},
	}, nil
}

// podStats reads the pod's cgroup parent (or sums its containers when it
// has none), its containers, and the traffic of its network namespace.
func (s *Server) podStats(ctx context.Context, sb *sandbox) (*runtimeapi.PodSandboxStats, error) {
	list, err := s.podContainers(ctx, sb.ID)
	if err != nil {
		return nil, err
	}
	at := time.Now()
	linux := &runtimeapi.LinuxPodSandboxStats{}
	var sum cgroups.Stats
	var running *engine.Container
	for _, c := range list {
		cs, err := s.containerStats(ctx, c)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		linux.Containers = append(linux.Containers, cs)
		sum.CPUUsage += cs.GetCpu().GetUsageCoreNanoSeconds().GetValue()
		m := cs.GetMemory()
		sum.MemoryUsage += m.GetWorkingSetBytes().GetValue()
		sum.MemoryCurrent += m.GetUsageBytes().GetValue()
		sum.MemoryRSS += m.GetRssBytes().GetValue()
		sum.PageFaults += m.GetPageFaults().GetValue()
		sum.MajorPageFaults += m.GetMajorPageFaults().GetValue()
		if c.State.Running() && running == nil {
			running = c
		}
	}
	pod, err := s.podCgroupStats(sb)
	if err != nil {
		return nil, err
	}
	if pod != nil {
		linux.Process = &runtimeapi.ProcessUsage{Timestamp: at.UnixNano(), ProcessCount: &runtimeapi.UInt64Value{Value: pod.PidsCurrent}}
	} else {
		pod = &sum
	}
	linux.Cpu = s.cpu.usage(sb.ID, pod.CPUUsage, at)
	linux.Memory = memoryUsage(at, *pod)
	if running != nil && sb.nsPath("net") != "" {
		if n, err := network.ContainerCounters(running.State.Pid); err == nil { // it may have stopped meanwhile
			iface := &runtimeapi.NetworkInterfaceUsage{Name: podInterface,
				RxBytes: &runtimeapi.UInt64Value{Value: n.RxBytes}, RxErrors: &runtimeapi.UInt64Value{Value: n.RxErrors},
				TxBytes: &runtimeapi.UInt64Value{Value: n.TxBytes}, TxErrors: &runtimeapi.UInt64Value{Value: n.TxErrors}}
			linux.Network = &runtimeapi.NetworkUsage{Timestamp: at.UnixNano(), DefaultInterface: iface,
				Interfaces: []*runtimeapi.NetworkInterfaceUsage{iface}}
		}
	}
	return &runtimeapi.PodSandboxStats{
		Attributes: &runtimeapi.PodSandboxAttributes{Id: sb.ID, Metadata: sb.Config.GetMetadata(),
			Labels: sb.Config.GetLabels(), Annotations: sb.Config.GetAnnotations()},
		Linux: linux,
	}, nil
}

// podCgroupStats reads the pod's cgroup parent: nil when the pod has
// none, zeros while no container has made it.
func (s *Server) podCgroupStats(sb *sandbox) (*cgroups.Stats, error) {
	cg, err := s.podCgroup(sb)
	if err != nil || cg == nil {
		return nil, err
	}
	st, err := cg.Stats()
	if errors.Is(err, cgroups.ErrNotExist) {
		return &cgroups.Stats{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stats of pod %s: %w", sb.ID, err)
	}
	return &st, nil
}

// memoryUsage is the CRI's memory figures of one reading: working set,
// usage, RSS, page faults, and what is left below the limit.
func memoryUsage(at time.Time, st cgroups.Stats) *runtimeapi.MemoryUsage {
	m := &runtimeapi.MemoryUsage{Timestamp: at.UnixNano(),
		WorkingSetBytes: &runtimeapi.UInt64Value{Value: st.MemoryUsage},
		UsageBytes:      &runtimeapi.UInt64Value{Value: st.MemoryCurrent},
		RssBytes:        &runtimeapi.UInt64Value{Value: st.MemoryRSS},
		PageFaults:      &runtimeapi.UInt64Value{Value: st.PageFaults},
		MajorPageFaults: &runtimeapi.UInt64Value{Value: st.MajorPageFaults},
	}
	if st.MemoryLimit > st.MemoryUsage {
		m.AvailableBytes = &runtimeapi.UInt64Value{Value: st.MemoryLimit - st.MemoryUsage}
	}
	return m
}

// cpuRates turns cumulative CPU time into nano cores: the CPU time used
// since the previous reading of the same container or pod over the time
// between them. A first reading has no rate; readings not renewed for
// cpuRateTTL are forgotten.
type cpuRates struct {
	mu     sync.Mutex
	last   map[string]cpuReading
	pruned time.Time
}

type cpuReading struct {
	usage uint64
	at    time.Time
}

// cpuRateTTL is how long a reading is kept: kubelet reads every few
// seconds, crictl stats twice a second apart.
const cpuRateTTL = 10 * time.Minute

// usage records a reading of id's CPU time (ns) at at and returns it as
// the CRI's CpuUsage, with the rate since the previous reading.
func (r *cpuRates) usage(id string, usage uint64, at time.Time) *runtimeapi.CpuUsage {
	cu := &runtimeapi.CpuUsage{Timestamp: at.UnixNano(), UsageCoreNanoSeconds: &runtimeapi.UInt64Value{Value: usage}}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]cpuReading{}
	}
	if at.Sub(r.pruned) > cpuRateTTL {
		for k, v := range r.last {
			if at.Sub(v.at) > cpuRateTTL {
				delete(r.last, k)
			}
		}
		r.pruned = at
	}
	prev, ok := r.last[id]
	r.last[id] = cpuReading{usage: usage, at: at}
	if ok && at.After(prev.at) && usage >= prev.usage {
		cu.UsageNanoCores = &runtimeapi.UInt64Value{Value: uint64(float64(usage-prev.usage) / at.Sub(prev.at).Seconds())}
	}
	return cu
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCRIUpdateResources: UpdateContainerResources changes a running
// container's CPU shares, quota and period, cpuset and memory limit in
// its cgroup, ContainerStatus shows the new limits, and a field left
// zero keeps its value.
func TestCRIUpdateResources(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	parent := b.parent + "/pod-upd"
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "upd", Namespace: "default", Uid: "uid-upd"},
		Linux:    &runtimeapi.LinuxPodSandboxConfig{CgroupParent: parent},
	}
	pod := e.runPodFor(t, podCfg)
	id := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "limited"}, Command: []string{"sleep", "3600"},
		Linux: &runtimeapi.LinuxContainerConfig{Resources: &runtimeapi.LinuxContainerResources{
			MemoryLimitInBytes: 64 << 20, CpuShares: 512}},
	})
	cgroupValue := func(controller, v1, v2 string) string {
		t.Helper()
		for _, p := range []string{
			filepath.Join("/sys/fs/cgroup", parent, id, v2),
			filepath.Join("/sys/fs/cgroup", controller, parent, id, v1),
		} {
			if data, err := os.ReadFile(p); err == nil {
				return strings.TrimSpace(string(data))
			}
		}
		t.Fatalf("no cgroup file %s or %s of %s", v1, v2, id)
		return ""
	}
	if got := cgroupValue("memory", "memory.limit_in_bytes", "memory.max"); got != "67108864" {
		t.Fatalf("memory limit at create %s", got)
	}

	if _, err := e.rt.UpdateContainerResources(ctx, &runtimeapi.UpdateContainerResourcesRequest{ContainerId: id,
		Linux: &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 128 << 20, CpuShares: 256,
			CpuPeriod: 100000, CpuQuota: 50000, CpusetCpus: "0"}}); err != nil {
		t.Fatal(err)
	}
	if got := cgroupValue("memory", "memory.limit_in_bytes", "memory.max"); got != "134217728" {
		t.Errorf("memory limit %s, want 134217728", got)
	}
	if got := cgroupValue("cpu", "cpu.cfs_quota_us", "cpu.max"); got != "50000" && got != "50000 100000" {
		t.Errorf("cpu quota %s, want 50000", got)
	}
	if got := cgroupValue("cpu", "cpu.shares", "cpu.weight"); got != "256" && got != "10" {
		t.Errorf("cpu shares %s, want 256 (v2: weight 10)", got)
	}
	if got := cgroupValue("cpuset", "cpuset.cpus", "cpuset.cpus"); got != "0" {
		t.Errorf("cpuset %s, want 0", got)
	}
	// Only the memory limit: the rest stays.
	if _, err := e.rt.UpdateContainerResources(ctx, &runtimeapi.UpdateContainerResourcesRequest{ContainerId: id,
		Linux: &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 96 << 20}}); err != nil {
		t.Fatal(err)
	}
	st, err := e.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		t.Fatal(err)
	}
	r := st.Status.GetResources().GetLinux()
	if r.GetMemoryLimitInBytes() != 96<<20 || r.GetCpuShares() != 256 || r.GetCpuQuota() != 50000 || r.GetCpuPeriod() != 100000 || r.GetCpusetCpus() != "0" {
		t.Errorf("status resources: %v", r)
	}
	if got := cgroupValue("memory", "memory.limit_in_bytes", "memory.max"); got != "100663296" {
		t.Errorf("memory limit %s, want 100663296", got)
	}
	// The engine's checks answer as InvalidArgument.
	if _, err := e.rt.UpdateContainerResources(ctx, &runtimeapi.UpdateContainerResourcesRequest{ContainerId: id,
		Linux: &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: 1 << 20}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("a 1 MiB limit: %v", err)
	}
}

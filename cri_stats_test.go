package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// runPodFor runs a pod of cfg and returns its ID.
func (e *criEnv) runPodFor(t *testing.T, cfg *runtimeapi.PodSandboxConfig) string {
	t.Helper()
	run, err := e.rt.RunPodSandbox(context.Background(), &runtimeapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return run.PodSandboxId
}

// startIn creates and starts a busybox container of cfg in pod, and
// returns its ID.
func (e *criEnv) startIn(t *testing.T, pod string, podCfg *runtimeapi.PodSandboxConfig, cfg *runtimeapi.ContainerConfig) string {
	t.Helper()
	ctx := context.Background()
	cfg.Image = &runtimeapi.ImageSpec{Image: "busybox"}
	c, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: c.ContainerId}); err != nil {
		t.Fatal(err)
	}
	return c.ContainerId
}

// execOut runs cmd in container id and returns its output; a failure
// fails the test.
func (e *criEnv) execOut(t *testing.T, id string, cmd ...string) string {
	t.Helper()
	r, err := e.rt.ExecSync(context.Background(), &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: cmd, Timeout: 60})
	if err != nil {
		t.Fatalf("exec %v: %v", cmd, err)
	}
	if r.ExitCode != 0 {
		t.Fatalf("exec %v: exit %d: %s", cmd, r.ExitCode, r.Stderr)
	}
	return string(r.Stdout)
}

// TestCRIStats: container and pod stats from the cgroups (CPU time and
// its rate, working set, usage, RSS, page faults), the writable layer's
// bytes and inodes, the pod's traffic on eth0 and process count, the
// filters of both lists, and crictl stats and statsp showing them.
func TestCRIStats(t *testing.T) {
	crictl := crictlBinary(t)
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "statpod", Namespace: "default", Uid: "uid-stats"},
		Labels:   map[string]string{"app": "stats"},
		Linux:    &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-stats"},
	}
	pod := e.runPodFor(t, podCfg)
	busy := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "busy"}, Labels: map[string]string{"role": "busy"},
		Command: []string{"sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; " +
			"dd if=/dev/zero of=/written bs=1M count=3 2>/dev/null; mkdir /d1 /d2; echo done > /ready; exec sleep 3600"},
	})
	idle := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "idle"}, Labels: map[string]string{"role": "idle"},
		Command: []string{"sleep", "3600"},
	})
	e.execOut(t, busy, "sh", "-c", "until [ -f /ready ]; do sleep 0.1; done")

	st, err := e.rt.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: busy})
	if err != nil {
		t.Fatal(err)
	}
	s := st.Stats
	if s.Attributes.Id != busy || s.Attributes.Metadata.Name != "busy" || s.Attributes.Labels["role"] != "busy" {
		t.Errorf("attributes: %v", s.Attributes)
	}
	if s.Cpu.UsageCoreNanoSeconds.GetValue() == 0 || s.Cpu.Timestamp == 0 {
		t.Errorf("cpu: %v", s.Cpu)
	}
	m := s.Memory
	if m.WorkingSetBytes.GetValue() == 0 || m.UsageBytes.GetValue() < m.WorkingSetBytes.GetValue() ||
		m.RssBytes.GetValue() == 0 || m.PageFaults.GetValue() == 0 || m.MajorPageFaults == nil {
		t.Errorf("memory: %v", m)
	}
	// The 3 MiB file and the two directories are in the writable layer.
	if w := s.WritableLayer; w.UsedBytes.GetValue() < 3<<20 || w.InodesUsed.GetValue() < 4 || w.FsId.GetMountpoint() == "" {
		t.Errorf("writable layer: %v", w)
	}
	// A second reading has a rate.
	st, err = e.rt.ContainerStats(ctx, &runtimeapi.ContainerStatsRequest{ContainerId: busy})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stats.Cpu.UsageNanoCores == nil {
		t.Errorf("no nano cores on a second reading: %v", st.Stats.Cpu)
	}

	names := func(list []*runtimeapi.ContainerStats) string {
		var out []string
		for _, s := range list {
			out = append(out, s.Attributes.Metadata.Name)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		filter *runtimeapi.ContainerStatsFilter
		want   []string
	}{
		{nil, []string{"busy", "idle"}},
		{&runtimeapi.ContainerStatsFilter{PodSandboxId: pod}, []string{"busy", "idle"}},
		{&runtimeapi.ContainerStatsFilter{LabelSelector: map[string]string{"role": "idle"}}, []string{"idle"}},
		{&runtimeapi.ContainerStatsFilter{Id: busy[:12]}, []string{"busy"}},
		{&runtimeapi.ContainerStatsFilter{PodSandboxId: "nosuchpod"}, nil},
	} {
		l, err := e.rt.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{Filter: tt.filter})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(l.Stats); got != strings.Join(tt.want, ",") {
			t.Errorf("list container stats %v: %s, want %v", tt.filter, got, tt.want)
		}
	}

	// Traffic into the pod: a connection refused by its address.
	pst, err := e.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(pst.Status.Network.Ip, "9"), 10*time.Second); err == nil {
		c.Close()
		t.Fatal("port 9 of the pod answered")
	}
	ps, err := e.rt.PodSandboxStats(ctx, &runtimeapi.PodSandboxStatsRequest{PodSandboxId: pod})
	if err != nil {
		t.Fatal(err)
	}
	lx := ps.Stats.Linux
	if ps.Stats.Attributes.Id != pod || ps.Stats.Attributes.Metadata.Name != "statpod" || ps.Stats.Attributes.Labels["app"] != "stats" {
		t.Errorf("pod attributes: %v", ps.Stats.Attributes)
	}
	if lx.Cpu.UsageCoreNanoSeconds.GetValue() < s.Cpu.UsageCoreNanoSeconds.GetValue() || lx.Memory.WorkingSetBytes.GetValue() == 0 {
		t.Errorf("pod cpu and memory: %v %v (busy alone: %v)", lx.Cpu, lx.Memory, s.Cpu)
	}
	if lx.Process.ProcessCount.GetValue() < 2 {
		t.Errorf("pod processes: %v", lx.Process)
	}
	if n := lx.Network.GetDefaultInterface(); n.GetName() != "eth0" || n.RxBytes.GetValue() == 0 || n.TxBytes.GetValue() == 0 {
		t.Errorf("pod network: %v", lx.Network)
	}
	if len(lx.Containers) != 2 {
		t.Errorf("pod's containers: %v", lx.Containers)
	}
	for _, tt := range []struct {
		filter *runtimeapi.PodSandboxStatsFilter
		n      int
	}{
		{nil, 1},
		{&runtimeapi.PodSandboxStatsFilter{LabelSelector: map[string]string{"app": "stats"}}, 1},
		{&runtimeapi.PodSandboxStatsFilter{LabelSelector: map[string]string{"app": "other"}}, 0},
		{&runtimeapi.PodSandboxStatsFilter{Id: pod[:12]}, 1},
	} {
		l, err := e.rt.ListPodSandboxStats(ctx, &runtimeapi.ListPodSandboxStatsRequest{Filter: tt.filter})
		if err != nil || len(l.Stats) != tt.n {
			t.Errorf("list pod stats %v: %v %v, want %d", tt.filter, l, err, tt.n)
		}
	}

	// crictl shows them.
	config := crictlConfigFor(t, e.sock)
	out := crictlOut(t, crictl, config, "stats", "--id", idle)
	if !strings.Contains(out, idle[:13]) || !strings.Contains(out, "idle") {
		t.Errorf("crictl stats --id:\n%s", out)
	}
	out = crictlOut(t, crictl, config, "stats", "--label", "role=busy")
	if !strings.Contains(out, busy[:13]) || strings.Contains(out, idle[:13]) || !strings.Contains(out, "MB") {
		t.Errorf("crictl stats --label:\n%s", out)
	}
	out = crictlOut(t, crictl, config, "statsp")
	if !strings.Contains(out, "statpod") || !strings.Contains(out, pod[:13]) {
		t.Errorf("crictl statsp:\n%s", out)
	}
}

// crictlConfigFor writes a crictl.yaml for the server on sock.
func crictlConfigFor(t *testing.T, sock string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "crictl.yaml")
	endpoint := "unix://" + sock
	if err := os.WriteFile(p, []byte("runtime-endpoint: "+endpoint+"\nimage-endpoint: "+endpoint+"\ntimeout: 60\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// crictlOut runs crictl with config and returns its output.
func crictlOut(t *testing.T, crictl, config string, args ...string) string {
	t.Helper()
	cmd := exec.Command(crictl, append([]string{"--config", config}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("crictl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

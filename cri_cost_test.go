package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// What an idle `berth cri` and its pods cost: no CPU while nothing
// happens (a test, on the kernel's own count of the server's CPU time),
// and the resident memory of the server, of each pod and of each
// container (a benchmark, beside containerd's published figures).

// criPod is a pod made by runPod: its sandbox, its one container, and
// the host PIDs of the container's first process and of its shim.
type criPod struct {
	sandbox, container string
	init, shim         int
}

// runPod makes pod i (namespace "bench", name pod-i) with one container
// running sleep, as kubelet would: a log directory and a cgroup parent
// of its own, a PID namespace per container (kubelet's default, without
// shareProcessNamespace: a shared one is held by a process of the pod's
// own), and hostPort (0 for none) to the container's port 80.
func (e *criEnv) runPod(t testing.TB, i, hostPort int) criPod {
	t.Helper()
	ctx := context.Background()
	uid := "uid-" + strconv.Itoa(i)
	cfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "pod-" + strconv.Itoa(i), Namespace: "bench", Uid: uid},
		Hostname:     "pod-" + strconv.Itoa(i),
		LogDirectory: filepath.Join(t.TempDir(), "pods", "bench_pod_"+uid),
		Linux: &runtimeapi.LinuxPodSandboxConfig{CgroupParent: e.parent + "/pod" + uid,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Pid: runtimeapi.NamespaceMode_CONTAINER}}},
	}
	if hostPort != 0 {
		cfg.PortMappings = []*runtimeapi.PortMapping{{ContainerPort: 80, HostPort: int32(hostPort), HostIp: "127.0.0.1"}}
	}
	run, err := e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: run.PodSandboxId, SandboxConfig: cfg,
		Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: "sleeper"},
			Image:    &runtimeapi.ImageSpec{Image: "busybox"},
			Command:  []string{"sleep", "3600"},
			LogPath:  "sleeper/0.log",
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: c.ContainerId}); err != nil {
		t.Fatal(err)
	}
	p := criPod{sandbox: run.PodSandboxId, container: c.ContainerId}
	p.init, err = strconv.Atoi(strings.TrimSpace(e.must("inspect", "--format", "{{.State.Pid}}", c.ContainerId)))
	if err != nil {
		t.Fatal(err)
	}
	p.shim = procStat(t, p.init).ppid // the shim is the parent of the container's first process
	return p
}

// procStat is what /proc/PID/stat says of a process: its parent, and
// the user and system time it and its threads have used, in clock
// ticks.
func procStat(t testing.TB, pid int) struct{ ppid, ticks int } {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// After the command in parentheses: state, ppid, ... utime (the
	// 14th field of the line, the 12th here), stime.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	ppid, err1 := strconv.Atoi(f[1])
	utime, err2 := strconv.Atoi(f[11])
	stime, err3 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("/proc/%d/stat: %q", pid, stat)
	}
	return struct{ ppid, ticks int }{ppid, utime + stime}
}

// TestCRIIdleCPU: once kubelet stops calling, `berth cri` serving a pod
// (with a host port, whose proxy the server runs) uses no CPU at all:
// the kernel charges it no clock tick over six seconds, and it does not
// even wake up: in one of three two-second windows at least, none of
// its threads is switched in (a timer or a polling loop, even one
// waking once a second, would be in every window; the Go runtime's own
// check once a minute can spoil one). Nor does the pod's container's
// shim.
func TestCRIIdleCPU(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	pod := e.runPod(t, 0, freePort(t))
	if _, err := e.rt.ListPodSandbox(context.Background(), &runtimeapi.ListPodSandboxRequest{}); err != nil {
		t.Fatal(err)
	}
	// What the calls set off (a collection, the return of freed memory
	// to the kernel) ends first.
	time.Sleep(2 * time.Second)
	for _, p := range []struct {
		what string
		pid  int
	}{{"server", e.pid}, {"container's shim", pod.shim}} {
		ticks := procStat(t, p.pid).ticks
		var wakeups []int
		for range 3 {
			n := switches(t, p.pid)
			time.Sleep(2 * time.Second)
			wakeups = append(wakeups, switches(t, p.pid)-n)
		}
		if d := procStat(t, p.pid).ticks - ticks; d != 0 {
			t.Errorf("the idle %s used %d clock ticks of CPU in six seconds, want none", p.what, d)
		}
		if !slices.Contains(wakeups, 0) {
			t.Errorf("the idle %s woke up in every two-second window: %v context switches", p.what, wakeups)
		}
	}
}

// BenchmarkCRIPodCost is the resident memory `berth cri` and its pods
// cost, with 10 pods of one idle container each: what the server, the
// pods (no process of their own: their namespaces are held by bind
// mounts, not by a pause process) and each container's shim and first
// process hold, beside the figures containerd has published for its
// shim. PSS shares a page among the processes that map it (the server
// and the shims run one binary): the cost of a pod is what the PSS of
// them all grew by, over the pods; the server's own growth is its
// private heap and stacks (Pss_Anon).
func BenchmarkCRIPodCost(b *testing.B) {
	env := newBerthEnv(b)
	e := newCRIEnv(b, env)
	if _, err := e.rt.Version(context.Background(), &runtimeapi.VersionRequest{}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	before := smapsRollup(b, e.pid)
	const n = 10
	pods := make([]criPod, 0, n)
	for i := range n {
		pods = append(pods, e.runPod(b, i, 0))
	}
	time.Sleep(500 * time.Millisecond)
	after := smapsRollup(b, e.pid)
	total := after["Pss"]
	// A monitor watches many containers: each counts once, and a pod's
	// share of them is their sum over the pods.
	monitors := map[int]map[string]float64{}
	var shim, proc map[string]float64 // each figure's mean over the pods
	for _, p := range pods {
		c := smapsRollup(b, p.init)
		proc = addMean(proc, c, n)
		total += c["Pss"]
		if _, ok := monitors[p.shim]; !ok {
			monitors[p.shim] = smapsRollup(b, p.shim)
		}
	}
	var oneRss float64
	for _, m := range monitors {
		shim, oneRss = addMean(shim, m, n), m["Rss"]
		total += m["Pss"]
	}
	perPod := (total - before["Pss"]) / n
	serverPerPod := (after["Pss_Anon"] - before["Pss_Anon"]) / n
	b.ReportMetric(perPod, "MiB-PSS/pod")
	b.ReportMetric(serverPerPod, "MiB-server-anon/pod")
	b.ReportMetric(shim["Pss"], "MiB-monitor-PSS")
	b.ReportMetric(proc["Pss"], "MiB-process-PSS")
	b.Logf("berth cri with %d pods of one idle container each (sleep, busybox-static):\n"+
		"  server: with no pod RSS %.1f MiB, PSS %.1f MiB; with the pods RSS %.1f MiB, its private heap and stacks %.2f MiB more per pod\n"+
		"  pod: no process of its own (its network, IPC and UTS namespaces are held by bind mounts, no pause process)\n"+
		"  container: its share of the %d monitors (one's RSS %.1f MiB), PSS %.2f MiB (private heap and stacks %.2f MiB); its process RSS %.2f MiB, PSS %.2f MiB\n"+
		"  a pod of one container: %.1f MiB PSS (all of server, shims and processes, less the server alone, over %d pods)\n"+
		"  (the kernel's share, namespaces, veth, page tables and the overlay mount, is not in these figures)\n"+
		"containerd's published figures, for comparison:\n"+
		"  containerd-shim per running container, after its move to ttrpc: RSS 5.1 MiB, PSS 1.2 MiB (5248 and 1212 KiB,\n"+
		"    two containers running; containerd pull request #1767, https://github.com/containerd/containerd/pull/1767)\n"+
		"  containerd-shim-runc-v2 (one per pod since containerd 1.3): RSS 9.8 to 11.0 MiB each, as a maintainer read\n"+
		"    them in https://github.com/containerd/containerd/issues/7878; each pod also runs a pause container",
		n, before["Rss"], before["Pss"], after["Rss"], serverPerPod,
		len(monitors), oneRss, shim["Pss"], shim["Pss_Anon"], proc["Rss"], proc["Pss"], perPod, n)
}

// addMean adds fig/n to each of mean's figures.
func addMean(mean, fig map[string]float64, n int) map[string]float64 {
	if mean == nil {
		mean = map[string]float64{}
	}
	for k, v := range fig {
		mean[k] += v / float64(n)
	}
	return mean
}

// switches counts the context switches of pid's threads: each time one
// was switched out, having slept or been preempted.
func switches(t testing.TB, pid int) int {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range tasks {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, task.Name()))
		if err != nil {
			continue // the thread ended
		}
		for _, line := range strings.Split(string(status), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
				c, _ := strconv.Atoi(strings.TrimSpace(v))
				n += c
			}
		}
	}
	return n
}

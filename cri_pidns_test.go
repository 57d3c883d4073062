package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCRIPodPIDNamespace: in a pod whose PID namespace is shared (mode
// POD), each container sees the others' processes, PID 1 is the pod's
// holder and reaps orphans; a container asking for its own (CONTAINER)
// is PID 1 of its own; the holder outlives a restart of the server and
// goes with the pod.
func TestCRIPodPIDNamespace(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	pid := func(mode runtimeapi.NamespaceMode) *runtimeapi.LinuxContainerConfig {
		return &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Pid: mode}}}
	}
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "pids", Namespace: "default", Uid: "uid-pids"},
		Linux: &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-pids", SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Pid: runtimeapi.NamespaceMode_POD}}},
	}
	pod := e.runPodFor(t, podCfg)
	one := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "one"},
		Command: []string{"sleep", "3601"}, Linux: pid(runtimeapi.NamespaceMode_POD)})
	two := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "two"},
		Command: []string{"sleep", "3602"}, Linux: pid(runtimeapi.NamespaceMode_POD)})
	own := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "own"},
		Command: []string{"sleep", "3603"}, Linux: pid(runtimeapi.NamespaceMode_CONTAINER)})

	ps := e.execOut(t, two, "ps", "-o", "pid,args")
	for _, want := range []string{"sleep 3601", "sleep 3602", "berth-pod-init"} {
		if !strings.Contains(ps, want) {
			t.Errorf("ps in a POD-mode container lacks %q:\n%s", want, ps)
		}
	}
	if strings.Contains(ps, "sleep 3603") {
		t.Errorf("ps in the pod's namespace shows the container with its own:\n%s", ps)
	}
	if init := e.execOut(t, one, "cat", "/proc/1/cmdline"); !strings.HasPrefix(init, "berth-pod-init") {
		t.Errorf("PID 1 of the pod: %q", init)
	}
	nsOne, nsTwo := e.execOut(t, one, "readlink", "/proc/self/ns/pid"), e.execOut(t, two, "readlink", "/proc/self/ns/pid")
	hostNS, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		t.Fatal(err)
	}
	if nsOne != nsTwo || strings.TrimSpace(nsOne) == hostNS {
		t.Errorf("PID namespaces: one %s, two %s, host %s", nsOne, nsTwo, hostNS)
	}
	if init := e.execOut(t, own, "cat", "/proc/1/cmdline"); !strings.HasPrefix(init, "sleep\x003603") {
		t.Errorf("PID 1 of a CONTAINER-mode container: %q", init)
	}
	// An orphan goes to the holder, which reaps it.
	e.execOut(t, one, "sh", "-c", "sleep 0.2 & exit 0")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out := e.execOut(t, one, "ps", "-o", "stat,args")
		if !strings.Contains(out, "sleep 0.2") && !strings.Contains(out, "Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the orphan is not reaped:\n%s", out)
		}
	}

	// The holder outlives the server and goes with the pod.
	st, err := e.rt.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		PodInitPID int `json:"podInitPid"`
	}
	if err := json.Unmarshal([]byte(st.Info["info"]), &rec); err != nil || rec.PodInitPID <= 0 {
		t.Fatalf("the pod's record names no holder: %v %s", err, st.Info["info"])
	}
	holder := "/proc/" + strconv.Itoa(rec.PodInitPID)
	if status, err := os.ReadFile(holder + "/status"); err == nil {
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmRSS:") || strings.HasPrefix(l, "RssAnon:") {
				t.Logf("the holder's %s", strings.Join(strings.Fields(l), " "))
			}
		}
	}
	e.stop()
	e.start(t)
	if cmdline, err := os.ReadFile(holder + "/cmdline"); err != nil || !strings.HasPrefix(string(cmdline), "berth-pod-init") {
		t.Fatalf("the holder after a restart of the server: %q %v", cmdline, err)
	}
	if ps := e.execOut(t, two, "ps", "-o", "args"); !strings.Contains(ps, "sleep 3601") {
		t.Errorf("the pod's namespace after a restart of the server:\n%s", ps)
	}
	if _, err := e.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		stat, err := os.ReadFile(holder + "/stat")
		if err != nil || !strings.Contains(string(stat), "(berth-pod-init)") || strings.Contains(string(stat), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the holder outlives its pod: %s", stat)
		}
	}
	assertPodGone(t, b, pod, "")
}

package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCRIPodShm: a pod's containers share one /dev/shm (a 64 MiB tmpfs,
// nosuid, nodev, noexec); it is unmounted when the pod is removed, and a
// pod that fails to run leaves none.
func TestCRIPodShm(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "shm", Namespace: "default", Uid: "uid-shm"},
		Linux:    &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-shm"},
	}
	pod := e.runPodFor(t, podCfg)
	writer := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "writer"},
		Command: []string{"sh", "-c", "echo shared > /dev/shm/note; exec sleep 3600"}})
	reader := e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "reader"},
		Command: []string{"sleep", "3600"}})
	e.execOut(t, writer, "sh", "-c", "until [ -f /dev/shm/note ]; do sleep 0.1; done")
	if got := e.execOut(t, reader, "cat", "/dev/shm/note"); got != "shared\n" {
		t.Errorf("the reader's /dev/shm/note: %q", got)
	}
	if df := strings.Fields(e.execOut(t, reader, "df", "-k", "/dev/shm")); len(df) < 9 || df[8] != "65536" {
		t.Errorf("df /dev/shm: %v, want 65536 1K-blocks", df)
	}
	mount := e.execOut(t, reader, "grep", " /dev/shm ", "/proc/mounts")
	for _, opt := range []string{"nosuid", "nodev", "noexec"} {
		if !strings.Contains(mount, opt) {
			t.Errorf("/dev/shm is not %s: %s", opt, mount)
		}
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mounts, []byte(filepath.Join(pod, "shm"))) {
		t.Errorf("no /dev/shm of pod %s among the host's mounts", pod)
	}
	if _, err := e.rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatal(err)
	}
	assertPodGone(t, b, pod, "")

	// A pod that fails after its /dev/shm was made leaves none.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "clash", Namespace: "default", Uid: "uid-shm-clash"},
		PortMappings: []*runtimeapi.PortMapping{{ContainerPort: 80, HostPort: int32(l.Addr().(*net.TCPAddr).Port), HostIp: "127.0.0.1"}},
	}}); err == nil {
		t.Fatal("a pod on a taken host port ran")
	}
	mounts, err = os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if sandboxes := filepath.Join(b.runRoot(), "cri", "sandboxes"); bytes.Contains(mounts, []byte(sandboxes)) {
		t.Errorf("mounts left under %s:\n%s", sandboxes, mounts)
	}
}

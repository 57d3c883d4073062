package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCRIImageVolume: a mount of an image (Kubernetes' image volume)
// shows the image's files read-only and executable, ContainerStatus
// names the image's ID, removing the container drops the mount's
// layer record; a sub-path mounts that part of the image; a writable
// one, a missing sub-path or a missing image is refused, named.
func TestCRIImageVolume(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	st, err := e.img.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
	if err != nil {
		t.Fatal(err)
	}
	busyboxID := st.GetImage().GetId()
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "imgvol", Namespace: "default", Uid: "uid-imgvol"},
		Linux:    &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-imgvol"},
	}
	pod := e.runPodFor(t, podCfg)
	volume := func(m *runtimeapi.Mount) *runtimeapi.ContainerConfig {
		return &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "imgvol" + strings.ReplaceAll(m.GetContainerPath(), "/", "-")},
			Image: &runtimeapi.ImageSpec{Image: "busybox"}, Command: []string{"sleep", "3600"}, Mounts: []*runtimeapi.Mount{m}}
	}
	id := e.startIn(t, pod, podCfg, volume(&runtimeapi.Mount{ContainerPath: "/mnt/image-volume", Readonly: true,
		Image: &runtimeapi.ImageSpec{Image: busyboxID, UserSpecifiedImage: "busybox"}}))
	e.execOut(t, id, "ls", "-A", "/mnt/image-volume/bin/sh")
	e.execOut(t, id, "/mnt/image-volume/bin/ls", "/mnt/image-volume")
	sub := e.startIn(t, pod, podCfg, volume(&runtimeapi.Mount{ContainerPath: "/mnt/etc", Readonly: true, ImageSubPath: "etc",
		Image: &runtimeapi.ImageSpec{Image: busyboxID}}))
	e.execOut(t, sub, "test", "-f", "/mnt/etc/passwd")
	touch, err := e.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: []string{"touch", "/mnt/image-volume/x"}, Timeout: 60})
	if err != nil || touch.ExitCode == 0 {
		t.Errorf("touch in the image volume: %v, exit %d: want a failure", err, touch.GetExitCode())
	}
	cs, err := e.rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range cs.GetStatus().GetMounts() {
		if m.GetContainerPath() == "/mnt/image-volume" {
			found = true
			if m.GetImage().GetImageRef() != busyboxID || !m.GetReadonly() {
				t.Errorf("status mount %v: want read-only with image_ref %s", m, busyboxID)
			}
		}
	}
	if !found {
		t.Errorf("no /mnt/image-volume among the status's mounts: %v", cs.GetStatus().GetMounts())
	}
	if _, err := e.rt.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: id}); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(filepath.Join(b.root(), "image", "containers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range left {
		if strings.HasPrefix(d.Name(), id+"-image-") {
			t.Errorf("left behind: image mount %s", d.Name())
		}
	}

	for _, tt := range []struct {
		name, want string
		mount      *runtimeapi.Mount
	}{
		{"writable", "must be read-only", &runtimeapi.Mount{ContainerPath: "/mnt/v", Image: &runtimeapi.ImageSpec{Image: busyboxID}}},
		{"missing sub-path", "sub-path not-existing", &runtimeapi.Mount{ContainerPath: "/mnt/v", Readonly: true, ImageSubPath: "not-existing",
			Image: &runtimeapi.ImageSpec{Image: busyboxID}}},
		{"missing image", "nosuchimage:1", &runtimeapi.Mount{ContainerPath: "/mnt/v", Readonly: true,
			Image: &runtimeapi.ImageSpec{Image: "nosuchimage:1"}}},
	} {
		_, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg, Config: volume(tt.mount)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: create: %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
}

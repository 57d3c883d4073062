package cri

import (
	"reflect"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
)

// TestCreateOptionsReadonlyMounts: a read-only mount is read-only on its
// top mount alone unless it asks to be recursively so, and keeps its
// propagation either way.
func TestCreateOptionsReadonlyMounts(t *testing.T) {
	sb := &sandbox{ID: "pod1", NSDir: "/x", Config: &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "p", Namespace: "ns"}}}
	cfg := &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Image: &runtimeapi.ImageSpec{Image: "busybox"},
		Mounts: []*runtimeapi.Mount{
			{HostPath: "/a", ContainerPath: "/a", Readonly: true, RecursiveReadOnly: true},
			{HostPath: "/b", ContainerPath: "/b", Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
			{HostPath: "/c", ContainerPath: "/c", Propagation: runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL},
		}}
	opts, err := createOptions(sb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	hc := opts.HostConfig
	if want := []string{"/a:/a:ro", "/c:/c:rshared"}; !reflect.DeepEqual(hc.Binds, want) {
		t.Errorf("binds %q, want %q", hc.Binds, want)
	}
	want := []engine.Mount{{Type: "bind", Source: "/b", Target: "/b", ReadOnly: true, BindOptions: &engine.BindOptions{Propagation: "rslave", ReadOnlyNonRecursive: true}}}
	if !reflect.DeepEqual(hc.Mounts, want) {
		t.Errorf("mounts %+v, want %+v", hc.Mounts, want)
	}
}

// TestContainerStatusLeavesOutPodShm: the pod's /dev/shm, which berth
// binds into each container, is not among the mounts the status shows
// (critest counts them against the request's).
func TestContainerStatusLeavesOutPodShm(t *testing.T) {
	sb := &sandbox{ID: "pod1", NSDir: "/x", Shm: "/x/shm", Config: &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "p", Namespace: "ns"}}}
	cfg := &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Image: &runtimeapi.ImageSpec{Image: "busybox"},
		Mounts: []*runtimeapi.Mount{{HostPath: "/data", ContainerPath: "/data"}}}
	opts, err := createOptions(sb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/x/shm:/dev/shm", "/data:/data"}; !reflect.DeepEqual(opts.HostConfig.Binds, want) {
		t.Fatalf("binds %q, want %q", opts.HostConfig.Binds, want)
	}
	c := &engine.Container{Config: opts.Config, HostConfig: opts.HostConfig, Mounts: []engine.MountPoint{
		{Type: "bind", Source: "/x/shm", Destination: "/dev/shm", RW: true},
		{Type: "bind", Source: "/data", Destination: "/data", RW: true},
	}}
	st := containerStatus(c)
	if len(st.GetMounts()) != 1 || st.GetMounts()[0].GetContainerPath() != "/data" {
		t.Errorf("status mounts %v, want /data alone", st.GetMounts())
	}
}

package cri

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
)

// The fixes critest's conformance suite asked for, each at the mapping
// it corrects.

// TestContainerNameLong: critest's names (a UUID in the container's, the
// pod's, the namespace's and the UID) made an engine name longer than a
// file name may be, and create failed.
func TestContainerNameLong(t *testing.T) {
	long := strings.Repeat("x", 100)
	pmd := &runtimeapi.PodSandboxMetadata{Name: long, Namespace: long, Uid: long}
	a := containerName(&runtimeapi.ContainerMetadata{Name: long + "a"}, pmd)
	b := containerName(&runtimeapi.ContainerMetadata{Name: long + "b"}, pmd)
	if len(a) > maxContainerName || len(b) > maxContainerName || a == b || !strings.HasPrefix(a, "k8s_"+long) {
		t.Errorf("long names: %q (%d) and %q (%d)", a, len(a), b, len(b))
	}
	if n := containerName(&runtimeapi.ContainerMetadata{Name: "app", Attempt: 1}, &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "ns", Uid: "u1"}); n != "k8s_app_web_ns_u1_1" {
		t.Errorf("short name: %q", n)
	}
	sb := &sandbox{ID: "pod1", Config: &runtimeapi.PodSandboxConfig{Metadata: pmd}}
	opts, err := createOptions(sb, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: long}, Image: &runtimeapi.ImageSpec{Image: "busybox"}})
	if err != nil || len(opts.Name) > maxContainerName || opts.Config.Labels[labelName] != long {
		t.Errorf("create options: %q %v %v", opts.Name, opts.Config.Labels, err)
	}
}

// TestMountPropagation: a mount's propagation reaches the engine's bind
// and comes back in the status (critest's mount propagation specs).
func TestMountPropagation(t *testing.T) {
	sb := &sandbox{ID: "pod1", Config: &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "p"}}}
	opts, err := createOptions(sb, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Mounts: []*runtimeapi.Mount{
		{HostPath: "/a", ContainerPath: "/a"},
		{HostPath: "/b", ContainerPath: "/b", Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
		{HostPath: "/c", ContainerPath: "/c", Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/a:/a", "/b:/b:rslave"}; !reflect.DeepEqual(opts.HostConfig.Binds, want) {
		t.Errorf("binds %v, want %v", opts.HostConfig.Binds, want)
	}
	// Read-only and not recursively so: a --mount (mounts.go).
	want := []engine.Mount{{Type: "bind", Source: "/c", Target: "/c", ReadOnly: true, BindOptions: &engine.BindOptions{Propagation: "rshared", ReadOnlyNonRecursive: true}}}
	if !reflect.DeepEqual(opts.HostConfig.Mounts, want) {
		t.Errorf("mounts %+v, want %+v", opts.HostConfig.Mounts, want)
	}
	for prop, want := range map[string]runtimeapi.MountPropagation{
		"rprivate": runtimeapi.MountPropagation_PROPAGATION_PRIVATE,
		"rslave":   runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER,
		"rshared":  runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL,
	} {
		m := criMount(engine.MountPoint{Source: "/s", Destination: "/d", RW: true, Propagation: prop})
		if m.Propagation != want || m.Readonly || m.HostPath != "/s" || m.ContainerPath != "/d" {
			t.Errorf("%s: %v", prop, m)
		}
	}
	if _, err := createOptions(sb, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Mounts: []*runtimeapi.Mount{
		{ContainerPath: "/i", Image: &runtimeapi.ImageSpec{Image: "busybox"}}}}); err == nil || !strings.Contains(err.Error(), "must be read-only") {
		t.Errorf("a writable image mount: %v", err)
	}
	img, err := createOptions(sb, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Mounts: []*runtimeapi.Mount{
		{ContainerPath: "/i", Readonly: true, Image: &runtimeapi.ImageSpec{Image: "busybox"}}}})
	if wantImg := (engine.Mount{Type: "image", Source: "busybox", Target: "/i", ReadOnly: true}); err != nil || !slices.Contains(img.HostConfig.Mounts, wantImg) {
		t.Errorf("an image mount: %v, mounts %+v, want %+v", err, img.HostConfig.Mounts, wantImg)
	}
}

// TestRecursiveReadOnly: a recursive read-only mount is accepted only
// read-only and private (critest's RRO specs, which run once Status
// says the handler has the feature).
func TestRecursiveReadOnly(t *testing.T) {
	sb := &sandbox{ID: "pod1", Config: &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "p"}}}
	create := func(m *runtimeapi.Mount) error {
		_, err := createOptions(sb, &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Mounts: []*runtimeapi.Mount{m}})
		return err
	}
	if err := create(&runtimeapi.Mount{HostPath: "/a", ContainerPath: "/a", Readonly: true, RecursiveReadOnly: true}); err != nil {
		t.Errorf("a recursive read-only mount: %v", err)
	}
	for name, m := range map[string]*runtimeapi.Mount{
		"not read-only":     {HostPath: "/a", ContainerPath: "/a", RecursiveReadOnly: true},
		"host to container": {HostPath: "/a", ContainerPath: "/a", Readonly: true, RecursiveReadOnly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
		"bidirectional":     {HostPath: "/a", ContainerPath: "/a", Readonly: true, RecursiveReadOnly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL},
	} {
		if err := create(m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if !runtimeHandlers[0].GetFeatures().GetRecursiveReadOnlyMounts() {
		t.Error("Status does not say read-only binds are recursive")
	}
}

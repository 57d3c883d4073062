package cri

import (
	"reflect"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestCreateOptionsHiddenPaths: the masked and read-only paths of the
// container's security context reach the engine; none given leaves the
// engine's defaults (nil).
func TestCreateOptionsHiddenPaths(t *testing.T) {
	sb := &sandbox{ID: "pod1", NSDir: "/x", Config: &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "p", Namespace: "ns"}}}
	cfg := &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "c"}, Image: &runtimeapi.ImageSpec{Image: "busybox"},
		Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
			MaskedPaths: []string{"/bin/ls"}, ReadonlyPaths: []string{"/tmp"}}}}
	opts, err := createOptions(sb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if hc := opts.HostConfig; !reflect.DeepEqual(hc.MaskedPaths, []string{"/bin/ls"}) || !reflect.DeepEqual(hc.ReadonlyPaths, []string{"/tmp"}) {
		t.Errorf("masked %q, read-only %q; want [/bin/ls] and [/tmp]", hc.MaskedPaths, hc.ReadonlyPaths)
	}
	cfg.Linux = nil
	if opts, err = createOptions(sb, cfg); err != nil {
		t.Fatal(err)
	}
	if hc := opts.HostConfig; hc.MaskedPaths != nil || hc.ReadonlyPaths != nil {
		t.Errorf("none given: masked %q, read-only %q; want nil (the defaults)", hc.MaskedPaths, hc.ReadonlyPaths)
	}
}

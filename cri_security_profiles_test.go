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

// TestCRISecurityProfiles: the container's seccomp profile (runtime
// default, unconfined, a localhost file, and the deprecated path field)
// is applied; an AppArmor profile berth cannot apply and an SCTP host
// port are refused as InvalidArgument, leaving nothing.
func TestCRISecurityProfiles(t *testing.T) {
	b := newBerthEnv(t)
	e := newCRIEnv(t, b)
	ctx := context.Background()
	profile := filepath.Join(t.TempDir(), "no-mkdir.json")
	if err := os.WriteFile(profile, []byte(`{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	podCfg := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "sec", Namespace: "default", Uid: "uid-sec"},
		Linux:    &runtimeapi.LinuxPodSandboxConfig{CgroupParent: b.parent + "/pod-sec"},
	}
	pod := e.runPodFor(t, podCfg)
	start := func(name string, sc *runtimeapi.LinuxContainerSecurityContext) string {
		t.Helper()
		return e.startIn(t, pod, podCfg, &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name}, Command: []string{"sleep", "3600"},
			Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: sc}})
	}
	mode := func(id string) string {
		t.Helper()
		return strings.TrimSpace(e.execOut(t, id, "grep", "^Seccomp:", "/proc/self/status"))
	}
	for _, tt := range []struct {
		name string
		sc   *runtimeapi.LinuxContainerSecurityContext
		want string
	}{
		{"unset", nil, "Seccomp:\t0"},
		{"runtime-default", &runtimeapi.LinuxContainerSecurityContext{Seccomp: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_RuntimeDefault}}, "Seccomp:\t2"},
		{"legacy-runtime-default", &runtimeapi.LinuxContainerSecurityContext{SeccompProfilePath: "runtime/default"}, "Seccomp:\t2"},
		{"unconfined", &runtimeapi.LinuxContainerSecurityContext{Seccomp: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined}}, "Seccomp:\t0"},
		{"legacy-unconfined", &runtimeapi.LinuxContainerSecurityContext{SeccompProfilePath: "unconfined"}, "Seccomp:\t0"},
		{"apparmor-unconfined", &runtimeapi.LinuxContainerSecurityContext{Apparmor: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined},
			Seccomp: &runtimeapi.SecurityProfile{}}, "Seccomp:\t2"},
	} {
		if got := mode(start(tt.name, tt.sc)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	for name, sc := range map[string]*runtimeapi.LinuxContainerSecurityContext{
		"localhost":        {Seccomp: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Localhost, LocalhostRef: profile}},
		"legacy-localhost": {SeccompProfilePath: "localhost/" + profile},
	} {
		id := start(name, sc)
		r, err := e.rt.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: []string{"mkdir", "/x"}, Timeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if r.ExitCode == 0 || !strings.Contains(string(r.Stderr), "Operation not permitted") {
			t.Errorf("%s: mkdir under the profile: exit %d: %s", name, r.ExitCode, r.Stderr)
		}
	}

	refused := func(what string, err error, words string) {
		t.Helper()
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), words) {
			t.Errorf("%s: %v, want InvalidArgument saying %q", what, err, words)
		}
	}
	for name, sc := range map[string]*runtimeapi.LinuxContainerSecurityContext{
		"apparmor localhost":       {Apparmor: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Localhost, LocalhostRef: "k8s-deny-write"}},
		"apparmor runtime default": {Apparmor: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_RuntimeDefault}},
		"legacy apparmor":          {ApparmorProfile: "localhost/k8s-deny-write"},
	} {
		_, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg,
			Config: &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "aa"}, Image: &runtimeapi.ImageSpec{Image: "busybox"}, Command: []string{"true"},
				Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: sc}}})
		refused(name, err, "apparmor profile")
	}
	_, err := e.rt.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: pod, SandboxConfig: podCfg,
		Config: &runtimeapi.ContainerConfig{Metadata: &runtimeapi.ContainerMetadata{Name: "missing"}, Image: &runtimeapi.ImageSpec{Image: "busybox"}, Command: []string{"true"},
			Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
				Seccomp: &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Localhost, LocalhostRef: profile + ".missing"}}}}})
	refused("a missing seccomp profile", err, "seccomp profile")
	cs, err := e.rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil || len(cs.Containers) != 8 {
		t.Errorf("containers after the refusals: %v %v, want the 8 started", cs, err)
	}

	_, err = e.rt.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "sctp", Namespace: "default", Uid: "uid-sctp"},
		PortMappings: []*runtimeapi.PortMapping{{Protocol: runtimeapi.Protocol_SCTP, ContainerPort: 9999, HostPort: int32(freePort(t))}},
	}})
	refused("an sctp host port", err, "sctp is not supported")
	if ps, err := e.rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil || len(ps.Items) != 1 {
		t.Errorf("pods after the sctp refusal: %v %v", ps, err)
	}
}

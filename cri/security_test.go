package cri

import (
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestSeccompSecurityOpt(t *testing.T) {
	profile := func(typ runtimeapi.SecurityProfile_ProfileType, ref string) *runtimeapi.LinuxContainerSecurityContext {
		return &runtimeapi.LinuxContainerSecurityContext{Seccomp: &runtimeapi.SecurityProfile{ProfileType: typ, LocalhostRef: ref}}
	}
	for _, tc := range []struct {
		name    string
		sc      *runtimeapi.LinuxContainerSecurityContext
		want    string
		wantErr string
	}{
		{"no context", nil, "seccomp=unconfined", ""},
		{"no profile", &runtimeapi.LinuxContainerSecurityContext{}, "seccomp=unconfined", ""},
		{"runtime default", profile(runtimeapi.SecurityProfile_RuntimeDefault, ""), "", ""},
		{"unconfined", profile(runtimeapi.SecurityProfile_Unconfined, ""), "seccomp=unconfined", ""},
		{"localhost", profile(runtimeapi.SecurityProfile_Localhost, "/p/a.json"), "seccomp=/p/a.json", ""},
		{"relative localhost", profile(runtimeapi.SecurityProfile_Localhost, "a.json"), "", "not an absolute path"},
		{"legacy default", &runtimeapi.LinuxContainerSecurityContext{SeccompProfilePath: "docker/default"}, "", ""},
		{"legacy localhost", &runtimeapi.LinuxContainerSecurityContext{SeccompProfilePath: "localhost//p/b.json"}, "seccomp=/p/b.json", ""},
		{"legacy unknown", &runtimeapi.LinuxContainerSecurityContext{SeccompProfilePath: "strict"}, "", `unknown profile "strict"`},
		{"field over legacy", &runtimeapi.LinuxContainerSecurityContext{SeccompProfilePath: "unconfined",
			Seccomp: &runtimeapi.SecurityProfile{}}, "", ""},
	} {
		got, err := seccompSecurityOpt(tc.sc)
		if got != tc.want || (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: %q, %v; want %q, %q", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestCheckAppArmor(t *testing.T) {
	aa := func(typ runtimeapi.SecurityProfile_ProfileType) *runtimeapi.LinuxContainerSecurityContext {
		return &runtimeapi.LinuxContainerSecurityContext{Apparmor: &runtimeapi.SecurityProfile{ProfileType: typ, LocalhostRef: "p"}}
	}
	for _, tc := range []struct {
		name      string
		sc        *runtimeapi.LinuxContainerSecurityContext
		kernelHas bool
		wantErr   string
	}{
		{"unset", nil, false, ""},
		{"unconfined", aa(runtimeapi.SecurityProfile_Unconfined), false, ""},
		{"legacy unconfined", &runtimeapi.LinuxContainerSecurityContext{ApparmorProfile: "unconfined"}, true, ""},
		{"runtime default, no AppArmor", aa(runtimeapi.SecurityProfile_RuntimeDefault), false, "runtime/default: this kernel has no AppArmor"},
		{"localhost, no AppArmor", aa(runtimeapi.SecurityProfile_Localhost), false, "localhost/p: this kernel has no AppArmor"},
		{"localhost, AppArmor", aa(runtimeapi.SecurityProfile_Localhost), true, "berth does not apply AppArmor profiles"},
		{"legacy localhost", &runtimeapi.LinuxContainerSecurityContext{ApparmorProfile: "localhost/q"}, false, "localhost/q"},
	} {
		err := checkAppArmor(tc.sc, tc.kernelHas)
		if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}

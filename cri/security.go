package cri

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The profile names of the deprecated string fields
// (seccomp_profile_path, apparmor_profile), as kubelet wrote them.
const (
	profileRuntimeDefault = "runtime/default"
	profileDockerDefault  = "docker/default"
	profileUnconfined     = "unconfined"
	profileLocalhost      = "localhost/"
)

// appArmorParameter says whether the kernel enforces AppArmor ("Y").
const appArmorParameter = "/sys/module/apparmor/parameters/enabled"

// seccompSecurityOpt maps the container's seccomp profile onto the
// engine's --security-opt seccomp=…: RuntimeDefault is berth's default
// profile and needs no option, Unconfined is "unconfined", Localhost the
// profile file at its absolute path (the engine reads and checks it at
// create). The deprecated seccomp_profile_path is read when the field is
// unset; with neither, the container is unconfined, as containerd has it
// and critest checks (kubelet always names a profile).
func seccompSecurityOpt(sc *runtimeapi.LinuxContainerSecurityContext) (string, error) {
	p, err := securityProfile(sc.GetSeccomp(), sc.GetSeccompProfilePath()) //nolint:staticcheck // SA1019: deprecated, and still sent by critest
	if err != nil {
		return "", fmt.Errorf("seccomp: %w", err)
	}
	if p == nil {
		return "seccomp=" + profileUnconfined, nil
	}
	switch p.GetProfileType() {
	case runtimeapi.SecurityProfile_Unconfined:
		return "seccomp=" + profileUnconfined, nil
	case runtimeapi.SecurityProfile_Localhost:
		if !filepath.IsAbs(p.GetLocalhostRef()) {
			return "", fmt.Errorf("seccomp: localhost profile %q is not an absolute path", p.GetLocalhostRef())
		}
		return "seccomp=" + p.GetLocalhostRef(), nil
	case runtimeapi.SecurityProfile_RuntimeDefault:
	}
	return "", nil
}

// checkAppArmor refuses an AppArmor profile berth cannot apply: any but
// unconfined. An unset profile leaves the container as berth runs every
// container, without one. kernelHas says whether the kernel enforces
// AppArmor, which only changes the error's words.
func checkAppArmor(sc *runtimeapi.LinuxContainerSecurityContext, kernelHas bool) error {
	p, err := securityProfile(sc.GetApparmor(), sc.GetApparmorProfile()) //nolint:staticcheck // SA1019: deprecated, and still sent by critest
	if err != nil {
		return fmt.Errorf("apparmor: %w", err)
	}
	if p == nil {
		return nil
	}
	name := profileRuntimeDefault
	switch p.GetProfileType() {
	case runtimeapi.SecurityProfile_Unconfined:
		return nil
	case runtimeapi.SecurityProfile_Localhost:
		name = profileLocalhost + p.GetLocalhostRef()
	case runtimeapi.SecurityProfile_RuntimeDefault:
	}
	if !kernelHas {
		return fmt.Errorf("apparmor profile %s: this kernel has no AppArmor (only unconfined can be asked for)", name)
	}
	return fmt.Errorf("apparmor profile %s: berth does not apply AppArmor profiles (only unconfined can be asked for)", name)
}

// securityProfile is the profile field, or the deprecated string field's
// meaning when the field is unset; nil when both are.
func securityProfile(p *runtimeapi.SecurityProfile, legacy string) (*runtimeapi.SecurityProfile, error) {
	if p != nil {
		return p, nil
	}
	switch {
	case legacy == "":
		return nil, nil
	case legacy == profileRuntimeDefault, legacy == profileDockerDefault:
		return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_RuntimeDefault}, nil
	case legacy == profileUnconfined:
		return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined}, nil
	case strings.HasPrefix(legacy, profileLocalhost):
		return &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Localhost,
			LocalhostRef: strings.TrimPrefix(legacy, profileLocalhost)}, nil
	}
	return nil, fmt.Errorf("unknown profile %q", legacy)
}

// kernelHasAppArmor reads whether this kernel enforces AppArmor; a
// kernel without the module has no such file.
func kernelHasAppArmor() bool {
	b, err := os.ReadFile(appArmorParameter)
	return err == nil && strings.HasPrefix(string(b), "Y")
}

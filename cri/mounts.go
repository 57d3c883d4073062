package cri

import (
	"errors"
	"fmt"
	"path/filepath"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
)

// runtimeHandlers are what Status says of berth's one runtime handler,
// the default (""): its read-only binds are read-only recursively, the
// mounts below them too.
var runtimeHandlers = []*runtimeapi.RuntimeHandler{{Features: &runtimeapi.RuntimeHandlerFeatures{RecursiveReadOnlyMounts: true}}}

// bindSpec is a CRI mount as the engine's bind (SOURCE:DEST[:MODES]):
// read-only, and its propagation as docker names it (host to container
// is rslave, bidirectional rshared, private the engine's default). An
// image mount (a mount of an image's files rather than a host path)
// is not served. A recursive read-only mount must be read-only and
// private, as the CRI says; every read-only bind is recursive here.
func bindSpec(m *runtimeapi.Mount) (string, error) {
	if m.GetImage().GetImage() != "" {
		return "", fmt.Errorf("mount of image %s at %s: image volumes are not supported", m.GetImage().GetImage(), m.GetContainerPath())
	}
	if !filepath.IsAbs(m.GetHostPath()) || !filepath.IsAbs(m.GetContainerPath()) {
		return "", fmt.Errorf("mount %s:%s: both paths must be absolute", m.GetHostPath(), m.GetContainerPath())
	}
	if m.GetRecursiveReadOnly() && (!m.GetReadonly() || m.GetPropagation() != runtimeapi.MountPropagation_PROPAGATION_PRIVATE) {
		return "", fmt.Errorf("mount %s: a recursive read-only mount must be read-only and private", m.GetContainerPath())
	}
	var modes []string
	if m.GetReadonly() {
		modes = append(modes, "ro")
	}
	switch m.GetPropagation() {
	case runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER:
		modes = append(modes, "rslave")
	case runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL:
		modes = append(modes, "rshared")
	case runtimeapi.MountPropagation_PROPAGATION_PRIVATE:
	default:
		return "", errors.New("mount " + m.GetContainerPath() + ": unknown propagation " + m.GetPropagation().String())
	}
	spec := m.GetHostPath() + ":" + m.GetContainerPath()
	for i, mode := range modes {
		sep := ","
		if i == 0 {
			sep = ":"
		}
		spec += sep + mode
	}
	return spec, nil
}

// criMount is a container's mount as the CRI shows it back.
func criMount(m engine.MountPoint) *runtimeapi.Mount {
	out := &runtimeapi.Mount{ContainerPath: m.Destination, HostPath: m.Source, Readonly: !m.RW}
	switch m.Propagation {
	case "rslave", "slave":
		out.Propagation = runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER
	case "rshared", "shared":
		out.Propagation = runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL
	}
	return out
}

package cri

import (
	"errors"
	"fmt"
	"path/filepath"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
)

// runtimeHandlers are what Status says of berth's one runtime handler,
// the default (""): it makes a bind read-only recursively, the mounts
// below it too, when the mount asks for that.
var runtimeHandlers = []*runtimeapi.RuntimeHandler{{Features: &runtimeapi.RuntimeHandlerFeatures{RecursiveReadOnlyMounts: true}}}

// addMount adds a CRI mount to hc: a read-only one that is not
// recursively so as a --mount whose submounts stay writable (the CRI's
// read-only is the top mount's alone), any other as a bind (bindSpec).
func addMount(hc *engine.HostConfig, m *runtimeapi.Mount) error {
	if m.GetImage().GetImage() != "" {
		return addImageMount(hc, m)
	}
	bind, err := bindSpec(m)
	if err != nil {
		return err
	}
	if !m.GetReadonly() || m.GetRecursiveReadOnly() {
		hc.Binds = append(hc.Binds, bind)
		return nil
	}
	hc.Mounts = append(hc.Mounts, engine.Mount{Type: "bind", Source: m.GetHostPath(), Target: m.GetContainerPath(), ReadOnly: true,
		BindOptions: &engine.BindOptions{Propagation: bindPropagation[m.GetPropagation()], ReadOnlyNonRecursive: true}})
	return nil
}

// bindPropagation is the CRI's mount propagation as docker names it:
// host to container is rslave, bidirectional rshared, private the
// engine's default.
var bindPropagation = map[runtimeapi.MountPropagation]string{
	runtimeapi.MountPropagation_PROPAGATION_PRIVATE:           "",
	runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER: "rslave",
	runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL:     "rshared",
}

// bindSpec is a CRI mount as the engine's bind (SOURCE:DEST[:MODES]):
// read-only (recursively), and its propagation (bindPropagation). A recursive read-only mount must be read-only and
// private, as the CRI says.
func bindSpec(m *runtimeapi.Mount) (string, error) {
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
	prop, ok := bindPropagation[m.GetPropagation()]
	if !ok {
		return "", errors.New("mount " + m.GetContainerPath() + ": unknown propagation " + m.GetPropagation().String())
	}
	if prop != "" {
		modes = append(modes, prop)
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
	if m.Type == "image" {
		return &runtimeapi.Mount{ContainerPath: m.Destination, Readonly: true,
			Image: &runtimeapi.ImageSpec{Image: m.Name, ImageRef: m.Source}}
	}
	out := &runtimeapi.Mount{ContainerPath: m.Destination, HostPath: m.Source, Readonly: !m.RW}
	switch m.Propagation {
	case "rslave", "slave":
		out.Propagation = runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER
	case "rshared", "shared":
		out.Propagation = runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL
	}
	return out
}

package cri

import (
	"fmt"
	"path/filepath"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine"
)

// addImageMount adds m, an image volume (a mount of an image's files,
// Kubernetes' ImageVolume), to hc as the engine's read-only image
// mount. The kubelet pulls the image first; the CRI says the mount
// must be read-only. A sub-path of the image is not served.
func addImageMount(hc *engine.HostConfig, m *runtimeapi.Mount) error {
	img := m.GetImage().GetImage()
	if !filepath.IsAbs(m.GetContainerPath()) {
		return fmt.Errorf("mount of image %s at %s: the container path must be absolute", img, m.GetContainerPath())
	}
	if !m.GetReadonly() {
		return fmt.Errorf("mount of image %s at %s: an image volume must be read-only", img, m.GetContainerPath())
	}
	if m.GetImageSubPath() != "" {
		return fmt.Errorf("mount of image %s at %s: sub-path %s of an image volume is not supported", img, m.GetContainerPath(), m.GetImageSubPath())
	}
	hc.Mounts = append(hc.Mounts, engine.Mount{Type: "image", Source: img, Target: m.GetContainerPath(), ReadOnly: true})
	return nil
}

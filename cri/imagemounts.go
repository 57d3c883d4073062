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
// must be read-only. Its sub-path, when set, is the part of the image
// mounted; the engine refuses one the image does not have.
func addImageMount(hc *engine.HostConfig, m *runtimeapi.Mount) error {
	img := m.GetImage().GetImage()
	if !filepath.IsAbs(m.GetContainerPath()) {
		return fmt.Errorf("mount of image %s at %s: the container path must be absolute", img, m.GetContainerPath())
	}
	if !m.GetReadonly() {
		return fmt.Errorf("mount of image %s at %s: an image volume must be read-only", img, m.GetContainerPath())
	}
	mt := engine.Mount{Type: "image", Source: img, Target: m.GetContainerPath(), ReadOnly: true}
	if sub := m.GetImageSubPath(); sub != "" {
		mt.ImageOptions = &engine.ImageOptions{Subpath: sub}
	}
	hc.Mounts = append(hc.Mounts, mt)
	return nil
}

package api

import (
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/image"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth/images"
)

// newImageInspect is an image in the Moby inspect shape.
func newImageInspect(img *images.Image) image.InspectResponse {
	c := img.Config
	cfg := &dockerspec.DockerOCIImageConfig{
		ImageConfig: ocispec.ImageConfig{
			User: c.User, ExposedPorts: c.ExposedPorts, Env: c.Env, Entrypoint: c.Entrypoint, Cmd: c.Cmd,
			Volumes: c.Volumes, WorkingDir: c.WorkingDir, Labels: c.Labels, StopSignal: c.StopSignal,
		},
		DockerOCIImageConfigExt: dockerspec.DockerOCIImageConfigExt{OnBuild: c.OnBuild, Shell: c.Shell},
	}
	if h := c.Healthcheck; h != nil {
		cfg.Healthcheck = &dockerspec.HealthcheckConfig{
			Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod,
			StartInterval: h.StartInterval, Retries: h.Retries,
		}
	}
	out := image.InspectResponse{
		ID:           "sha256:" + img.ID,
		RepoTags:     orEmpty(img.RepoTags),
		RepoDigests:  orEmpty(img.RepoDigests),
		Created:      img.Created.UTC().Format(time.RFC3339Nano),
		Author:       img.Author,
		Config:       cfg,
		Architecture: img.Arch,
		Os:           img.OS,
		Size:         img.Size,
		RootFS:       image.RootFS{Type: "layers", Layers: img.Layers},
	}
	if n := len(img.History); n > 0 {
		out.Comment = img.History[n-1].Comment
	}
	return out
}

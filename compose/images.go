package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/host"
	"berth/images"
)

// ensureImages builds or pulls what each of services needs before any
// container is touched: a service with build: is built when its image
// is missing (or always, with build), one without is pulled when its
// image is missing, under its pull_policy.
func ensureImages(ctx context.Context, h host.Host, p *types.Project, services []string, o UpOptions) error {
	for _, name := range services {
		s := p.Services[name]
		ref := ImageName(p.Name, s)
		_, err := h.Images().Lookup(ref)
		missing := errors.Is(err, images.ErrNotFound)
		if err != nil && !missing {
			return fmt.Errorf("service %q: image %s: %w", name, ref, err)
		}
		switch {
		case s.Build != nil && (missing || o.Build || s.PullPolicy == types.PullPolicyBuild):
			if o.NoBuild {
				return fmt.Errorf("service %q: image %s not found and --no-build given", name, ref)
			}
			if err := build(ctx, h, p, s, o); err != nil {
				return err
			}
		case s.Build == nil && (missing || s.PullPolicy == types.PullPolicyAlways || o.Pull == host.PullAlways):
			never := s.PullPolicy == types.PullPolicyNever || o.Pull == host.PullNever
			if never && missing {
				return fmt.Errorf("service %q: image %s not found and pull_policy is never", name, ref)
			}
			if never {
				continue
			}
			progress(o.Progress, "Image", ref, "Pulling")
			if _, err := h.Images().Pull(ctx, ref, images.PullOptions{Registry: o.Registry}); err != nil {
				return failure(PullFailure, err, "service %q: pull %s: %w", name, ref)
			}
			progress(o.Progress, "Image", ref, "Pulled")
		}
	}
	return nil
}

// build builds service s's image, tagged with its image name and its
// build.tags.
func build(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, o UpOptions) error {
	b := s.Build
	opts := images.BuildOptions{
		ContextDir: b.Context,
		Tags:       append([]string{ImageName(p.Name, s)}, b.Tags...),
		BuildArgs:  map[string]string{},
		Target:     b.Target,
		NoCache:    b.NoCache,
		Labels:     b.Labels,
		Runner:     h.BuildRunner(),
		Output:     o.BuildOutput,
		PullAlways: b.Pull,
		Pull: func(ctx context.Context, ref string) (*images.Image, error) {
			return h.Images().Pull(ctx, ref, images.PullOptions{Registry: o.Registry})
		},
	}
	switch {
	case b.DockerfileInline != "":
		opts.DockerfileText = []byte(b.DockerfileInline)
	case b.Dockerfile != "" && !filepath.IsAbs(b.Dockerfile):
		opts.Dockerfile = filepath.Join(b.Context, b.Dockerfile)
	default:
		opts.Dockerfile = b.Dockerfile
	}
	for _, k := range slices.Sorted(maps.Keys(b.Args)) {
		if v := b.Args[k]; v != nil {
			opts.BuildArgs[k] = *v
		}
	}
	if o.BuildOutput == nil {
		opts.Output = io.Discard
	}
	progress(o.Progress, "Service", s.Name, "Building")
	if _, err := h.Images().Build(ctx, opts); err != nil {
		return failure(BuildFailure, err, "service %q: build: %w", s.Name)
	}
	progress(o.Progress, "Service", s.Name, "Built")
	return nil
}

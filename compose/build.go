package compose

import (
	"context"
	"io"
	"maps"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/host"
	"berth/images"
)

// BuildOptions are `compose build`'s.
type BuildOptions struct {
	Services []string // none: every service
	// WithDependencies builds what the services depend on too.
	WithDependencies bool
	NoCache          bool
	Pull             bool // always pull the base images
	// Args are --build-arg, over each service's build.args.
	Args        map[string]string
	Registry    images.RegistryOptions
	Progress    io.Writer
	BuildOutput io.Writer
}

// Build builds the images of project p's services that have build:, by
// service name, each tagged as up tags it; the first failure stops it.
func Build(ctx context.Context, h host.Host, p *types.Project, o BuildOptions) error {
	sel, err := selectServices(p, o.Services, !o.WithDependencies)
	if err != nil {
		return err
	}
	up := UpOptions{Registry: o.Registry, Progress: o.Progress, BuildOutput: o.BuildOutput}
	for _, name := range sel.ServiceNames() {
		s := sel.Services[name]
		if s.Build == nil {
			continue
		}
		b := *s.Build
		b.NoCache = b.NoCache || o.NoCache
		b.Pull = b.Pull || o.Pull
		args := types.MappingWithEquals{}
		maps.Copy(args, b.Args)
		for k, v := range o.Args {
			args[k] = &v
		}
		b.Args = args
		s.Build = &b
		if err := build(ctx, h, sel, s, up); err != nil {
			return err
		}
	}
	return nil
}

package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"berth/compose"
)

func (a *app) composePullCommand(f *composeFlags) *cobra.Command {
	var o compose.PullOptions
	var quiet bool
	cmd := newCommand("pull [OPTIONS] [SERVICE...]", "Pull service images", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		switch o.Policy {
		case "", "missing", "always":
		default:
			return &statusError{err: fmt.Errorf("invalid --policy %q: missing or always", o.Policy), code: exitComposeSyntax, helpFor: cmd.CommandPath()}
		}
		ctx := cmd.Context()
		p, h, err := a.composeProjectOn(ctx, f)
		if err != nil {
			return err
		}
		o.Services = args
		o.Registry = a.registryOptions(a.cfg.MaxConcurrentDownloads)
		o.Progress = a.stderr
		if quiet {
			o.Progress = nil
		}
		return composeError(compose.Pull(ctx, h, p, o))
	}
	flags := cmd.Flags()
	flags.BoolVarP(&quiet, "quiet", "q", false, "pull without printing progress information")
	flags.BoolVar(&o.IncludeDeps, "include-deps", false, "also pull services declared as dependencies")
	flags.BoolVar(&o.IgnoreFailures, "ignore-pull-failures", false, "pull what it can and ignores images with pull failures")
	flags.BoolVar(&o.IgnoreBuildable, "ignore-buildable", false, "ignore images that can be built")
	flags.StringVar(&o.Policy, "policy", "", `apply pull policy ("missing"|"always")`)
	return cmd
}

func (a *app) composeBuildCommand(f *composeFlags) *cobra.Command {
	var o compose.BuildOptions
	var args []string
	var quiet bool
	cmd := newCommand("build [OPTIONS] [SERVICE...]", "Build or rebuild services", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, services []string) error {
		o.Args = map[string]string{}
		for _, arg := range args {
			k, v, ok := strings.Cut(arg, "=")
			if !ok {
				// KEY alone takes berth's environment, and is left out
				// when it is not set there.
				if v, ok = a.sys.lookupEnv(k); !ok {
					continue
				}
			}
			o.Args[k] = v
		}
		ctx := cmd.Context()
		p, h, err := a.composeProjectOn(ctx, f)
		if err != nil {
			return err
		}
		o.Services = services
		o.Registry = a.registryOptions(a.cfg.MaxConcurrentDownloads)
		o.Progress, o.BuildOutput = a.stderr, a.stderr
		if quiet {
			o.Progress, o.BuildOutput = nil, io.Discard
		}
		return composeError(compose.Build(ctx, h, p, o))
	}
	flags := cmd.Flags()
	flags.BoolVar(&o.NoCache, "no-cache", false, "do not use cache when building the image")
	flags.BoolVar(&o.Pull, "pull", false, "always attempt to pull a newer version of the image")
	flags.StringArrayVar(&args, "build-arg", nil, "set build-time variables for services")
	flags.BoolVarP(&quiet, "quiet", "q", false, "suppress the build output")
	flags.BoolVar(&o.WithDependencies, "with-dependencies", false, "also build dependencies (transitively)")
	return cmd
}

func (a *app) composeCreateCommand(f *composeFlags) *cobra.Command {
	var o compose.UpOptions
	var scale []string
	cmd := newCommand("create [OPTIONS] [SERVICE...]", "Creates containers for a service", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		p, h, err := a.composeProjectOn(ctx, f)
		if err != nil {
			return err
		}
		if o.Scale, err = parseScale(scale); err != nil {
			return &statusError{err: err, code: exitComposeSyntax}
		}
		o.Services = args
		o.NoStart = true
		o.Registry = a.registryOptions(a.cfg.MaxConcurrentDownloads)
		o.Progress, o.BuildOutput = a.stderr, a.stderr
		return composeError(compose.Up(ctx, h, p, o))
	}
	flags := cmd.Flags()
	flags.BoolVar(&o.Build, "build", false, "build images before starting containers")
	flags.BoolVar(&o.NoBuild, "no-build", false, "don't build an image, even if it's missing")
	flags.BoolVar(&o.ForceRecreate, "force-recreate", false, "recreate containers even if their configuration and image haven't changed")
	flags.BoolVar(&o.NoRecreate, "no-recreate", false, "if containers already exist, don't recreate them")
	flags.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "remove containers for services not defined in the compose file")
	flags.StringArrayVar(&scale, "scale", nil, "scale SERVICE to NUM instances; overrides the scale setting in the compose file")
	flags.StringVar(&o.Pull, "pull", "missing", `pull image before running ("always"|"missing"|"never")`)
	return cmd
}

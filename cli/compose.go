package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/compose"
	"berth/host"
)

// Docker Compose's own exit codes, for what it tells apart.
const (
	exitComposeNoFile = 14
	exitComposeParse  = 15
	exitComposeSyntax = 16
	exitComposeBuild  = 17
	exitComposePull   = 18
)

// composeFlags are the flags of `berth compose` itself, before its
// subcommand: where the project is.
type composeFlags struct {
	files       []string
	projectName string
	profiles    []string
	envFiles    []string
	projectDir  string
}

// composeCommand is `berth compose`: projects of several containers from
// a compose file, as Docker Compose runs them.
func (a *app) composeCommand() *cobra.Command {
	f := &composeFlags{}
	cmd := newCommand("compose [OPTIONS] COMMAND", "Run a project of several containers from a compose file", nil, nil)
	cmd.Long = "Run a compose project: the services, networks and volumes of compose.yaml\n" +
		"(or docker-compose.yml, with compose.override.yaml) in this directory or\n" +
		"above, with Docker Compose's names and labels, so that docker-compose and\n" +
		"docker compose through berth's API see the same project."
	flags := cmd.PersistentFlags()
	// -f and -p before the command only (hoistComposeFlags).
	flags.StringArrayVar(&f.files, "file", nil, "compose configuration files (-f before the command)")
	flags.StringVar(&f.projectName, "project-name", "", "project name (-p before the command)")
	flags.StringArrayVar(&f.profiles, "profile", nil, "specify a profile to enable")
	flags.StringArrayVar(&f.envFiles, "env-file", nil, "specify an alternate environment file")
	flags.StringVar(&f.projectDir, "project-directory", "", "specify an alternate working directory (default: the path of the first compose file)")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &statusError{err: err, code: exitComposeSyntax, helpFor: c.CommandPath()}
	})
	cmd.AddCommand(
		a.composeUpCommand(f), a.composeDownCommand(f), a.composePsCommand(f),
		a.composeConfigCommand(f), a.composeLsCommand(),
		a.composeStopCommand(f), a.composeStartCommand(f), a.composeRestartCommand(f),
		a.composeRunCommand(f), a.composeExecCommand(f), a.composeKillCommand(f), a.composeRmCommand(f), a.composePauseCommand(f), a.composeUnpauseCommand(f), a.composeTopCommand(f), a.composePortCommand(f), a.composeImagesCommand(f), a.composePullCommand(f), a.composeBuildCommand(f), a.composeCreateCommand(f),
		a.composeLogsCommand(f),
	)
	return cmd
}

// loadOptions are the flags as compose.LoadOptions.
func (f *composeFlags) loadOptions() compose.LoadOptions {
	return compose.LoadOptions{
		Files:       f.files,
		ProjectName: f.projectName,
		ProjectDir:  f.projectDir,
		Profiles:    f.profiles,
		EnvFiles:    f.envFiles,
		Env:         os.Environ(),
	}
}

// project loads the project the flags name.
func (a *app) composeProject(ctx context.Context, f *composeFlags) (*types.Project, error) {
	p, err := compose.Load(ctx, f.loadOptions())
	if err != nil {
		return nil, composeError(err)
	}
	return p, nil
}

// composeName is the project's name and, when there is a file, the
// project: commands that act on existing containers need only the name
// (-p or COMPOSE_PROJECT_NAME without a file).
func (a *app) composeName(ctx context.Context, f *composeFlags) (string, *types.Project, error) {
	p, err := compose.Load(ctx, f.loadOptions())
	if err == nil {
		return p.Name, p, nil
	}
	name := f.projectName
	if name == "" {
		name = a.sys.getenv("COMPOSE_PROJECT_NAME")
	}
	if errors.Is(err, compose.ErrNoFile) && name != "" {
		return name, nil, nil
	}
	return "", nil, composeError(err)
}

// composeError gives a compose failure Docker Compose's exit code.
func composeError(err error) error {
	if err == nil {
		return nil
	}
	var f *compose.Failure
	switch {
	case errors.Is(err, compose.ErrNoFile):
		return &statusError{err: err, code: exitComposeNoFile}
	case errors.As(err, &f):
		code := map[compose.FailureKind]int{
			compose.ParseFailure: exitComposeParse,
			compose.BuildFailure: exitComposeBuild,
			compose.PullFailure:  exitComposePull,
		}[f.Kind]
		return &statusError{err: err, code: code}
	}
	return &statusError{err: err, code: exitFailure}
}

// composeProjectOn is the project the flags name, loaded, and the
// machine it runs on.
func (a *app) composeProjectOn(ctx context.Context, f *composeFlags) (*types.Project, host.Host, error) {
	p, err := a.composeProject(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	h, err := a.composeHost()
	return p, h, err
}

// composeHost is the machine compose acts on.
func (a *app) composeHost() (host.Host, error) {
	h, err := a.machine()
	if err != nil {
		return nil, &statusError{err: err, code: exitFailure}
	}
	return h, nil
}

// timeoutFlag is -t/--timeout: nil when not given, so that each
// container's own stop timeout applies.
func timeoutFlag(cmd *cobra.Command, secs int) *time.Duration {
	if !cmd.Flags().Changed("timeout") {
		return nil
	}
	d := time.Duration(secs) * time.Second
	return &d
}

func (a *app) composeUpCommand(f *composeFlags) *cobra.Command {
	var o compose.UpOptions
	var af composeAttachFlags
	var detach bool
	var scale []string
	var timeout, waitTimeout int
	cmd := newCommand("up [OPTIONS] [SERVICE...]", "Create and start containers", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := af.check(detach, o.Wait); err != nil {
			return &statusError{err: err, code: exitFailure}
		}
		ctx := cmd.Context()
		p, h, err := a.composeProjectOn(ctx, f)
		if err != nil {
			return err
		}
		o.Services = args
		o.Timeout = timeoutFlag(cmd, timeout)
		o.WaitTimeout = time.Duration(waitTimeout) * time.Second
		if o.Scale, err = parseScale(scale); err != nil {
			return &statusError{err: err, code: exitComposeSyntax}
		}
		o.Registry = a.registryOptions(a.cfg.MaxConcurrentDownloads)
		o.Progress = a.stderr
		o.BuildOutput = a.stderr
		if !detach && !o.Wait && !o.NoStart {
			return a.composeUpAttached(ctx, h, p, o, &af)
		}
		return composeError(compose.Up(ctx, h, p, o))
	}
	flags := cmd.Flags()
	af.register(flags)
	flags.BoolVarP(&detach, "detach", "d", false, "detached mode: run containers in the background")
	flags.BoolVar(&o.Build, "build", false, "build images before starting containers")
	flags.BoolVar(&o.NoBuild, "no-build", false, "don't build an image, even if it's missing")
	flags.BoolVar(&o.ForceRecreate, "force-recreate", false, "recreate containers even if their configuration hasn't changed")
	flags.BoolVar(&o.NoRecreate, "no-recreate", false, "if containers already exist, don't recreate them")
	flags.BoolVar(&o.NoDeps, "no-deps", false, "don't start linked services")
	flags.BoolVar(&o.NoStart, "no-start", false, "don't start the services after creating them")
	flags.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "remove containers for services not defined in the compose file")
	flags.BoolVar(&o.Wait, "wait", false, "wait for services to be running|healthy; implies detached mode")
	flags.IntVar(&waitTimeout, "wait-timeout", 0, "maximum duration in seconds to wait for the project to be running|healthy")
	flags.StringArrayVar(&scale, "scale", nil, "scale SERVICE to NUM instances; overrides the scale setting in the compose file")
	flags.IntVarP(&timeout, "timeout", "t", 10, "use this timeout in seconds for container shutdown when containers are already running")
	flags.StringVar(&o.Pull, "pull", "missing", `pull image before running ("always"|"missing"|"never")`)
	return cmd
}

// parseScale is --scale SERVICE=NUM, each.
func parseScale(values []string) (map[string]int, error) {
	scale := map[string]int{}
	for _, v := range values {
		name, num, ok := strings.Cut(v, "=")
		var n int
		if _, err := fmt.Sscanf(num, "%d", &n); !ok || err != nil || n < 0 || fmt.Sprint(n) != num {
			return nil, fmt.Errorf("invalid --scale %q: SERVICE=NUM with NUM a whole number", v)
		}
		scale[name] = n
	}
	return scale, nil
}

func (a *app) composeDownCommand(f *composeFlags) *cobra.Command {
	var o compose.DownOptions
	var timeout int
	cmd := newCommand("down [OPTIONS]", "Stop and remove containers, networks", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		name, p, err := a.composeName(ctx, f)
		if err != nil {
			return err
		}
		if o.RemoveImages != "" && o.RemoveImages != "local" && o.RemoveImages != "all" {
			return &statusError{err: fmt.Errorf("invalid --rmi %q: \"local\" or \"all\"", o.RemoveImages), code: exitComposeSyntax}
		}
		h, err := a.composeHost()
		if err != nil {
			return err
		}
		o.Project = p
		o.Timeout = timeoutFlag(cmd, timeout)
		o.Progress = a.stderr
		return composeError(compose.Down(ctx, h, name, o))
	}
	flags := cmd.Flags()
	flags.BoolVarP(&o.Volumes, "volumes", "v", false, "remove named volumes declared in the volumes section of the compose file and anonymous volumes attached to containers")
	flags.StringVar(&o.RemoveImages, "rmi", "", `remove images used by services: "local" removes only images that don't have a custom tag, "all" every image`)
	flags.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "remove containers for services not defined in the compose file")
	flags.IntVarP(&timeout, "timeout", "t", 10, "specify a shutdown timeout in seconds")
	return cmd
}

func (a *app) composePsCommand(f *composeFlags) *cobra.Command {
	var all, quiet, services bool
	cmd := newCommand("ps [OPTIONS] [SERVICE...]", "List containers", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		name, _, err := a.composeName(ctx, f)
		if err != nil {
			return err
		}
		h, err := a.composeHost()
		if err != nil {
			return err
		}
		list, err := compose.Containers(ctx, h, name, args, all, true)
		if err != nil {
			return composeError(err)
		}
		if quiet || services {
			seen := map[string]bool{}
			for _, c := range list {
				line := c.ID
				if services {
					line = c.Config.Labels[compose.LabelService]
				}
				if !seen[line] {
					seen[line] = true
					fmt.Fprintln(a.stdout, line)
				}
			}
			return nil
		}
		now := a.sys.now()
		tw := tabwriter.NewWriter(a.stdout, 10, 1, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
		for _, c := range list {
			fmt.Fprintf(tw, "%s\t%s\t%q\t%s\t%s\t%s\t%s\n",
				strings.TrimPrefix(c.Name, "/"), c.Config.Image, ellipsis(host.CommandLine(c.Path, c.Args), 20),
				c.Config.Labels[compose.LabelService], ago(now, c.Created), host.StatusText(&c.State, now), host.PortsText(c))
		}
		return tw.Flush()
	}
	flags := cmd.Flags()
	flags.BoolVarP(&all, "all", "a", false, "show all stopped containers (including those created by the run command)")
	flags.BoolVarP(&quiet, "quiet", "q", false, "only display IDs")
	flags.BoolVar(&services, "services", false, "display services")
	return cmd
}

func (a *app) composeConfigCommand(f *composeFlags) *cobra.Command {
	var quiet, services, volumes bool
	var format string
	cmd := newCommand("config [OPTIONS] [SERVICE...]", "Parse, resolve and render compose file in canonical format", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		p, err := a.composeProject(cmd.Context(), f)
		if err != nil {
			return err
		}
		if len(args) > 0 {
			if p, err = p.WithSelectedServices(args); err != nil {
				return composeError(err)
			}
		}
		switch {
		case quiet:
			return nil
		case services:
			for _, s := range p.ServiceNames() {
				fmt.Fprintln(a.stdout, s)
			}
			return nil
		case volumes:
			for _, v := range p.VolumeNames() {
				fmt.Fprintln(a.stdout, v)
			}
			return nil
		}
		var out []byte
		switch format {
		case "yaml":
			out, err = p.MarshalYAML()
		case "json":
			out, err = p.MarshalJSON()
		default:
			return &statusError{err: fmt.Errorf("invalid --format %q: yaml or json", format), code: exitComposeSyntax}
		}
		if err != nil {
			return composeError(err)
		}
		_, err = a.stdout.Write(out)
		return err
	}
	flags := cmd.Flags()
	flags.BoolVarP(&quiet, "quiet", "q", false, "only validate the configuration, don't print anything")
	flags.BoolVar(&services, "services", false, "print the service names, one per line")
	flags.BoolVar(&volumes, "volumes", false, "print the volume names, one per line")
	flags.StringVar(&format, "format", "yaml", "format the output: yaml or json")
	return cmd
}

func (a *app) composeLsCommand() *cobra.Command {
	var all, quiet bool
	cmd := newCommand("ls [OPTIONS]", "List running compose projects", noArgs, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		h, err := a.composeHost()
		if err != nil {
			return err
		}
		list, err := compose.List(cmd.Context(), h, all)
		if err != nil {
			return composeError(err)
		}
		if quiet {
			for _, p := range list {
				fmt.Fprintln(a.stdout, p.Name)
			}
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 10, 1, 3, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATUS\tCONFIG FILES")
		for _, p := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Status, p.ConfigFiles)
		}
		return tw.Flush()
	}
	flags := cmd.Flags()
	flags.BoolVarP(&all, "all", "a", false, "show all stopped compose projects")
	flags.BoolVarP(&quiet, "quiet", "q", false, "only display project names")
	return cmd
}

func (a *app) composeStopCommand(f *composeFlags) *cobra.Command {
	var timeout int
	cmd := newCommand("stop [OPTIONS] [SERVICE...]", "Stop services", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		return composeError(compose.Stop(cmd.Context(), h, name, args, timeoutFlag(cmd, timeout), a.stderr))
	}
	cmd.Flags().IntVarP(&timeout, "timeout", "t", 10, "specify a shutdown timeout in seconds")
	return cmd
}

func (a *app) composeStartCommand(f *composeFlags) *cobra.Command {
	cmd := newCommand("start [SERVICE...]", "Start services", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		return composeError(compose.Start(cmd.Context(), h, name, args, a.stderr))
	}
	return cmd
}

func (a *app) composeRestartCommand(f *composeFlags) *cobra.Command {
	var timeout int
	cmd := newCommand("restart [OPTIONS] [SERVICE...]", "Restart service containers", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, h, err := a.composeTarget(cmd.Context(), f)
		if err != nil {
			return err
		}
		return composeError(compose.Restart(cmd.Context(), h, name, args, timeoutFlag(cmd, timeout), a.stderr))
	}
	cmd.Flags().IntVarP(&timeout, "timeout", "t", 10, "specify a shutdown timeout in seconds")
	return cmd
}

// composeTarget is the project's name and the machine it runs on.
func (a *app) composeTarget(ctx context.Context, f *composeFlags) (string, host.Host, error) {
	name, _, err := a.composeName(ctx, f)
	if err != nil {
		return "", nil, err
	}
	h, err := a.composeHost()
	return name, h, err
}

package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"berth/compose"
	"berth/engine"
	"berth/host/runopts"
)

// composeRunFlags are `compose run`'s flags as given.
type composeRunFlags struct {
	o                       compose.RunOptions
	env, envFiles, labels   []string
	volumes, publish        []string
	entrypoint, pull        string
	noTTY, tty, interactive bool
}

// composeRunCommand is `compose run`: a one-off container of a service,
// its dependencies started first, attached with a terminal as `berth run
// -it` unless -d or -T.
func (a *app) composeRunCommand(f *composeFlags) *cobra.Command {
	var rf composeRunFlags
	cmd := newCommand("run [OPTIONS] SERVICE [COMMAND] [ARGS...]", "Run a one-off command on a service", nil, nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := composeArgsAtLeast(cmd, args, 1); err != nil {
			return err
		}
		return a.composeRun(cmd, f, &rf, args)
	}
	flags := cmd.Flags()
	flags.SetInterspersed(false)
	o := &rf.o
	flags.BoolVarP(&o.Detach, "detach", "d", false, "run container in background and print container ID")
	flags.StringArrayVarP(&rf.env, "env", "e", nil, "set environment variables")
	flags.StringArrayVar(&rf.envFiles, "env-from-file", nil, "set environment variables from file")
	flags.StringArrayVarP(&rf.labels, "label", "l", nil, "add or override a label")
	flags.BoolVar(&o.AutoRemove, "rm", false, "automatically remove the container when it exits")
	flags.BoolVarP(&rf.noTTY, "no-tty", "T", false, "disable pseudo-TTY allocation (default: auto-detected)")
	flags.StringVar(&o.Name, "name", "", "assign a name to the container")
	flags.StringVarP(&o.User, "user", "u", "", "run as specified username or uid")
	flags.StringVarP(&o.WorkingDir, "workdir", "w", "", "working directory inside the container")
	flags.StringVar(&rf.entrypoint, "entrypoint", "", "override the entrypoint of the image")
	flags.StringArrayVar(&o.CapAdd, "cap-add", nil, "add Linux capabilities")
	flags.StringArrayVar(&o.CapDrop, "cap-drop", nil, "drop Linux capabilities")
	flags.BoolVar(&o.NoDeps, "no-deps", false, "don't start linked services")
	flags.StringArrayVarP(&rf.volumes, "volume", "v", nil, "bind mount a volume")
	flags.StringArrayVarP(&rf.publish, "publish", "p", nil, "publish a container's port(s) to the host")
	flags.BoolVar(&o.UseAliases, "use-aliases", false, "use the service's network aliases in the network(s) the container connects to")
	flags.BoolVarP(&o.ServicePorts, "service-ports", "P", false, "run command with all service's ports enabled and mapped to the host")
	flags.StringVar(&rf.pull, "pull", "policy", `pull image before running ("always"|"missing"|"never"|"policy")`)
	flags.BoolVar(&o.Up.Build, "build", false, "build image before starting container")
	flags.BoolVar(&o.Up.RemoveOrphans, "remove-orphans", false, "remove containers for services not defined in the compose file")
	flags.BoolVarP(&rf.interactive, "interactive", "i", true, "keep STDIN open even if not attached")
	flags.BoolVarP(&rf.tty, "tty", "t", true, "allocate a pseudo-TTY")
	_ = flags.MarkHidden("tty")
	flags.SetNormalizeFunc(composeFlagNames)
	return cmd
}

// composeFlagNames are Docker Compose's older spellings of run's and
// exec's flags.
func composeFlagNames(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	switch name {
	case "no-TTY":
		name = "no-tty"
	case "volumes":
		name = "volume"
	case "labels":
		name = "label"
	}
	return pflag.NormalizedName(name)
}

func (a *app) composeRun(cmd *cobra.Command, f *composeFlags, rf *composeRunFlags, args []string) error {
	o := &rf.o
	o.Service, o.Command = args[0], args[1:]
	flags := cmd.Flags()
	syntax := func(err error) error {
		return &statusError{err: err, code: exitComposeSyntax, helpFor: cmd.CommandPath()}
	}
	if err := rf.parse(flags, a); err != nil {
		return syntax(err)
	}
	tty, err := composeTTY(flags, a, rf.noTTY, rf.tty)
	if err != nil {
		return syntax(err)
	}
	o.Tty, o.Interactive = tty, rf.interactive
	if o.Interactive && o.Tty && !o.Detach && !a.sys.isTerminal(a.stdin) {
		return &statusError{err: errors.New("the input device is not a TTY"), code: exitFailure}
	}
	ctx := cmd.Context()
	p, h, err := a.composeProjectOn(ctx, f)
	if err != nil {
		return err
	}
	if changed(flags, "pull") && rf.pull != "policy" {
		for name, s := range p.Services {
			s.PullPolicy = rf.pull
			p.Services[name] = s
		}
	}
	o.Up.Registry = a.registryOptions(a.cfg.MaxConcurrentDownloads)
	o.Up.Progress = a.stderr
	o.Up.BuildOutput = a.stderr
	c, err := compose.CreateOneoff(ctx, h, p, *o)
	if err != nil {
		return composeError(err)
	}
	if o.Detach {
		if err := h.Start(ctx, c.ID); err != nil {
			return composeError(fmt.Errorf("start %s: %w", c.DisplayName(), err))
		}
		fmt.Fprintln(a.stdout, c.ID)
		return nil
	}
	terminal := o.Tty && o.Interactive && a.sys.isTerminal(a.stdin)
	err = a.runAttached(ctx, c, o.Interactive, terminal, !o.Tty, "")
	return composeExitError(err)
}

// parse turns the flags given as text into the run options.
func (rf *composeRunFlags) parse(flags *pflag.FlagSet, a *app) error {
	o := &rf.o
	switch rf.pull {
	case "always", "missing", "never", "policy":
	default:
		return fmt.Errorf("invalid --pull %q: always, missing, never or policy", rf.pull)
	}
	if len(rf.publish) > 0 && o.ServicePorts {
		return errors.New("--service-ports and --publish are incompatible")
	}
	if changed(flags, "entrypoint") {
		words, err := shellwords.Parse(rf.entrypoint)
		if err != nil {
			return fmt.Errorf("invalid --entrypoint %q: %w", rf.entrypoint, err)
		}
		o.Entrypoint = append([]string{}, words...)
	}
	fileEnv, err := runopts.ReadKeyValueFiles(rf.envFiles, a.sys.lookupEnv)
	if err != nil {
		return err
	}
	flagEnv, err := runopts.ParseEnv(rf.env, a.sys.lookupEnv)
	if err != nil {
		return err
	}
	o.Env = append(fileEnv, flagEnv...)
	o.Labels = map[string]string{}
	for _, l := range rf.labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return fmt.Errorf("invalid --label %q: label must be set as KEY=VALUE", l)
		}
		o.Labels[k] = v
	}
	for _, p := range rf.publish {
		ports, err := types.ParsePortConfig(p)
		if err != nil {
			return fmt.Errorf("invalid --publish %q: %w", p, err)
		}
		o.Publish = append(o.Publish, ports...)
	}
	for _, v := range rf.volumes {
		vol, err := format.ParseVolume(v)
		if err != nil {
			return fmt.Errorf("invalid --volume %q: %w", v, err)
		}
		if vol.Type == types.VolumeTypeBind && !filepath.IsAbs(vol.Source) {
			if vol.Source, err = filepath.Abs(vol.Source); err != nil {
				return fmt.Errorf("invalid --volume %q: %w", v, err)
			}
		}
		o.Volumes = append(o.Volumes, vol)
	}
	return nil
}

// composeTTY is whether run or exec allocates a terminal: by default
// when berth's output is one, and for run not when its input is not one
// and no terminal flag was given; -T says no, -t yes.
func composeTTY(flags *pflag.FlagSet, a *app, noTTY, tty bool) (bool, error) {
	switch {
	case changed(flags, "tty") && changed(flags, "no-tty"):
		return false, errors.New("--tty and --no-tty can't be used together")
	case changed(flags, "tty"):
		return tty, nil
	case changed(flags, "no-tty"):
		return !noTTY, nil
	case !changed(flags, "interactive") && !a.sys.isTerminal(a.stdin):
		return false, nil
	}
	return a.sys.isTerminal(a.stdout), nil
}

// composeArgsAtLeast refuses fewer than n arguments as Docker Compose
// does.
func composeArgsAtLeast(cmd *cobra.Command, args []string, n int) error {
	if len(args) < n {
		return &statusError{err: fmt.Errorf("%q requires at least %d %s", cmd.CommandPath(), n, plural(n, "argument")), code: exitFailure, helpFor: cmd.CommandPath()}
	}
	return nil
}

// composeExitError keeps the exit code a container or a command ended
// with (and exec's 126); another error is compose's.
func composeExitError(err error) error {
	var ee *engine.ExitError
	if isStatus(err) || errors.As(err, &ee) {
		return err
	}
	return composeError(err)
}

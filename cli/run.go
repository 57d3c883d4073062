package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"berth/config"
	"berth/engine"
	"berth/images"
)

// containerFlags are the flags of `berth run` and `berth create`.
type containerFlags struct {
	detach, interactive, tty, autoRemove, readOnly, privileged, init bool
	sigProxy, publishAll                                             bool

	name, hostname, workdir, user, entrypoint, network, restart string
	stopSignal, detachKeys, cpusetCpus, cgroupParent, pull, ip  string
	networkAliases                                              []string

	stopTimeout          int
	cpuShares, pidsLimit int64
	memory, memorySwap   memoryValue
	cpus                 nanoCPUsValue

	env, envFiles, labels, labelFiles, volumes, tmpfs, logOpts []string
	capAdd, capDrop, securityOpts, publish, expose             []string
	devices, deviceCgroupRules                                 []string
	res                                                        resFlags
	ns                                                         nsFlags
	health                                                     healthFlags
	vol                                                        volumeFlags
}

// register adds the flags; run-only ones (-d, --rm's attach side, --sig-proxy,
// --detach-keys) are on create too, as in docker, where they are stored.
func (f *containerFlags) register(flags *pflag.FlagSet, isRun bool) {
	flags.SetInterspersed(false) // flags after IMAGE belong to the command
	// -h is --hostname, as in docker: help is long-only here.
	flags.Bool("help", false, "print usage")
	if isRun {
		flags.BoolVarP(&f.detach, "detach", "d", false, "run the container in the background and print its ID")
		flags.BoolVar(&f.sigProxy, "sig-proxy", true, "proxy received signals to the container (without -t)")
		flags.StringVar(&f.detachKeys, "detach-keys", "", "key sequence that detaches from the container (default ctrl-p,ctrl-q)")
	}
	flags.BoolVarP(&f.interactive, "interactive", "i", false, "keep STDIN open even if not attached")
	flags.BoolVarP(&f.tty, "tty", "t", false, "allocate a pseudo-TTY")
	flags.StringVar(&f.name, "name", "", "assign a name to the container (default: a random adjective_noun)")
	flags.StringVarP(&f.hostname, "hostname", "h", "", "container host name")
	flags.StringArrayVarP(&f.env, "env", "e", nil, "set environment variables (KEY=VALUE, or KEY to pass berth's own value)")
	flags.StringArrayVar(&f.envFiles, "env-file", nil, "read in a file of environment variables")
	flags.BoolVar(&f.autoRemove, "rm", false, "automatically remove the container when it exits")
	flags.StringVar(&f.restart, "restart", "no", "restart policy: no, on-failure[:max-retries], always, unless-stopped")
	flags.StringVarP(&f.workdir, "workdir", "w", "", "working directory inside the container")
	flags.StringVarP(&f.user, "user", "u", "", "username or UID (format: <name|uid>[:<group|gid>])")
	flags.StringVar(&f.entrypoint, "entrypoint", "", "overwrite the default ENTRYPOINT of the image (\"\" clears it)")
	flags.VarP(&f.memory, "memory", "m", "memory limit (units b, k, m, g)")
	f.memorySwap.allowUnlimited = true
	flags.Var(&f.memorySwap, "memory-swap", "memory plus swap limit: '-1' for unlimited swap")
	flags.Var(&f.cpus, "cpus", "number of CPUs")
	flags.Int64VarP(&f.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	flags.StringVar(&f.cpusetCpus, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	flags.StringVar(&f.cgroupParent, "cgroup-parent", "", "optional parent cgroup for the container (default: cgroup-parent of the settings file)")
	flags.Int64Var(&f.pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	flags.StringArrayVar(&f.networkAliases, "network-alias", nil, "add a network-scoped alias: another name the container answers to on user-defined networks")
	flags.StringVar(&f.ip, "ip", "", "IPv4 address (e.g. 10.204.0.10) on the container's network")
	flags.StringVar(&f.network, "network", "", "connect the container to a network: bridge, host, none or a network's name (default: default-network of the settings file, else bridge)")
	flags.BoolVar(&f.readOnly, "read-only", false, "mount the container's root filesystem as read only")
	flags.StringArrayVarP(&f.volumes, "volume", "v", nil, "bind mount a host path or mount a volume: HOST|VOLUME:CONTAINER[:ro|rw], or CONTAINER for an anonymous volume")
	flags.StringArrayVar(&f.tmpfs, "tmpfs", nil, "mount a tmpfs directory: PATH[:OPTIONS]")
	flags.StringArrayVarP(&f.labels, "label", "l", nil, "set metadata on the container (KEY=VALUE)")
	flags.StringArrayVar(&f.labelFiles, "label-file", nil, "read in a line delimited file of labels")
	flags.StringVar(&f.stopSignal, "stop-signal", "", "signal to stop the container (default SIGTERM)")
	flags.IntVar(&f.stopTimeout, "stop-timeout", 0, "timeout (in seconds) to stop a container (default 10)")
	flags.StringArrayVar(&f.logOpts, "log-opt", nil, "log driver options: max-size=SIZE, max-file=N")
	flags.StringArrayVar(&f.capAdd, "cap-add", nil, "add Linux capabilities")
	flags.StringArrayVar(&f.capDrop, "cap-drop", nil, "drop Linux capabilities")
	flags.BoolVar(&f.privileged, "privileged", false, "give extended privileges to this container")
	flags.StringArrayVar(&f.devices, "device", nil, "add a host device to the container: HOST[:CONTAINER[:PERMISSIONS]], permissions r, w and m (default rwm)")
	flags.StringArrayVar(&f.deviceCgroupRules, "device-cgroup-rule", nil, "add a rule to the cgroup allowed devices list: 'TYPE MAJOR:MINOR PERMISSIONS', e.g. 'c 1:3 rwm'")
	flags.StringArrayVar(&f.securityOpts, "security-opt", nil, "security options: no-new-privileges, seccomp=unconfined|PROFILE.json")
	flags.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a container's port(s) to the host: [IP:][HOST:]CONTAINER[/PROTO]")
	flags.BoolVarP(&f.publishAll, "publish-all", "P", false, "publish all exposed ports to random ports")
	flags.StringArrayVar(&f.expose, "expose", nil, "expose a port or a range of ports: PORT[-PORT][/PROTO]")
	flags.BoolVar(&f.init, "init", false, "run an init inside the container that forwards signals and reaps processes (default: init of the settings file)")
	flags.StringVar(&f.pull, "pull", "missing", `pull image before running ("always", "missing", "never")`)
	f.res.register(flags)
	f.ns.register(flags)
	f.health.register(flags)
	f.vol.register(flags)
}

// validNetworkName is docker's rule for network names.
var validNetworkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// hostFiles is what building CreateOptions reads from the host.
type hostFiles struct {
	lookupEnv func(string) (string, bool)
	abs       func(string) (string, error)
}

func (a *app) hostFiles() hostFiles {
	return hostFiles{
		lookupEnv: a.sys.lookupEnv,
		abs:       filepath.Abs,
	}
}

// createOptions turns the flags, IMAGE and COMMAND into the engine's
// CreateOptions, validating everything docker validates before a container
// exists. It returns warnings to print.
func (f *containerFlags) createOptions(flags *pflag.FlagSet, image string, command []string, cfg *config.Config, host hostFiles) (engine.CreateOptions, []string, error) {
	var warnings []string
	var none engine.CreateOptions
	if image == "" {
		return none, nil, errors.New("image name cannot be empty")
	}
	switch f.pull {
	case "always", "missing", "never":
	default:
		return none, nil, fmt.Errorf(`invalid pull option: '%s': must be one of "always", "missing" or "never"`, f.pull)
	}
	fileEnv, err := readKeyValueFiles(f.envFiles, host.lookupEnv)
	if err != nil {
		return none, nil, err
	}
	flagEnv, err := parseEnv(f.env, host.lookupEnv)
	if err != nil {
		return none, nil, err
	}
	fileLabels, err := readKeyValueFiles(f.labelFiles, nil)
	if err != nil {
		return none, nil, err
	}
	labels, err := parseLabels(append(fileLabels, f.labels...))
	if err != nil {
		return none, nil, err
	}
	restart, err := parseRestartPolicy(f.restart)
	if err != nil {
		return none, nil, err
	}
	if f.autoRemove && restart.Name != "no" {
		return none, nil, errors.New("conflicting options: cannot specify both --restart and --rm")
	}

	cc := engine.ContainerConfig{
		Hostname:   f.hostname,
		User:       f.user,
		Tty:        f.tty,
		OpenStdin:  f.interactive,
		Env:        append(fileEnv, flagEnv...),
		Image:      image,
		WorkingDir: f.workdir,
		Labels:     labels,
		StopSignal: f.stopSignal,
	}
	if len(command) > 0 {
		cc.Cmd = command
	}
	if !f.detach {
		cc.AttachStdin = f.interactive
		cc.AttachStdout, cc.AttachStderr = true, true
		cc.StdinOnce = f.interactive
	}
	if f.entrypoint != "" {
		cc.Entrypoint = []string{f.entrypoint}
	} else if changed(flags, "entrypoint") {
		cc.Entrypoint = []string{""} // docker's "clear the image's ENTRYPOINT"
	}
	if f.workdir != "" && !filepath.IsAbs(f.workdir) {
		return none, nil, fmt.Errorf("the working directory '%s' is invalid, it needs to be an absolute path", f.workdir)
	}
	if f.stopSignal != "" {
		if _, err := parseSignal(f.stopSignal); err != nil {
			return none, nil, err
		}
	}
	if cc.Healthcheck, err = f.health.config(); err != nil {
		return none, nil, err
	}
	if changed(flags, "stop-timeout") {
		t := f.stopTimeout
		cc.StopTimeout = &t
	}
	if f.detachKeys != "" {
		if err := validateDetachKeys(f.detachKeys); err != nil {
			return none, nil, err
		}
	}

	hc := engine.HostConfig{
		RestartPolicy:  restart,
		AutoRemove:     f.autoRemove,
		Privileged:     f.privileged,
		ReadonlyRootfs: f.readOnly,
		CgroupParent:   cfg.CgroupParent,
		LogConfig:      engine.LogConfig{Type: "json-file"},
	}
	if f.cgroupParent != "" {
		if strings.Contains(f.cgroupParent, "..") {
			return none, nil, fmt.Errorf("invalid --cgroup-parent %q: must not contain \"..\"", f.cgroupParent)
		}
		hc.CgroupParent = f.cgroupParent
	}
	if hc.Resources, err = f.resources(flags); err != nil {
		return none, nil, err
	}
	logOpts, err := parseLogOpts(f.logOpts)
	if err != nil {
		return none, nil, err
	}
	// As docker: the container's options over the defaults, checked
	// together (max-file=3 alone takes the default max-size).
	effective := cfg.LogOpts.Map()
	maps.Copy(effective, logOpts)
	if err := config.ValidateLogOpts(effective); err != nil {
		return none, nil, fmt.Errorf("invalid --log-opt: %w", err)
	}
	if len(logOpts) > 0 {
		hc.LogConfig.Config = logOpts
	}
	if err := f.vol.apply(f.volumes, host.abs, &cc, &hc); err != nil {
		return none, nil, err
	}
	if len(f.tmpfs) > 0 {
		hc.Tmpfs = map[string]string{}
		for _, t := range f.tmpfs {
			if err := parseTmpfs(hc.Tmpfs, t); err != nil {
				return none, nil, daemonSide(err) // docker's CLI passes --tmpfs on unchecked
			}
		}
	}
	if hc.CapAdd, err = parseCapabilities(f.capAdd); err != nil {
		return none, nil, err
	}
	if hc.CapDrop, err = parseCapabilities(f.capDrop); err != nil {
		return none, nil, err
	}
	if hc.SecurityOpt, err = parseSecurityOpts(f.securityOpts); err != nil {
		return none, nil, err
	}

	hc.NetworkMode = f.network
	if hc.NetworkMode == "" {
		hc.NetworkMode = cfg.DefaultNetwork
	}
	if ref, ok := strings.CutPrefix(hc.NetworkMode, "container:"); ok && ref == "" {
		return none, nil, fmt.Errorf("invalid --network %q: no container named", hc.NetworkMode)
	}
	if !strings.HasPrefix(hc.NetworkMode, "container:") && !validNetworkName.MatchString(hc.NetworkMode) {
		return none, nil, fmt.Errorf("invalid --network %q: not a network name", hc.NetworkMode)
	}
	if len(f.publish) > 0 {
		hc.PortBindings = map[string][]engine.PortBinding{}
		cc.ExposedPorts = map[string]struct{}{}
		for _, p := range f.publish {
			if err := parsePublish(p, hc.PortBindings, cc.ExposedPorts); err != nil {
				return none, nil, err
			}
		}
	}
	for _, e := range f.expose {
		if cc.ExposedPorts == nil {
			cc.ExposedPorts = map[string]struct{}{}
		}
		if err := parseExpose(e, cc.ExposedPorts); err != nil {
			return none, nil, err
		}
	}
	hc.PublishAllPorts = f.publishAll
	if len(f.publish) > 0 || f.publishAll {
		switch hc.NetworkMode {
		case "none":
			return none, nil, errors.New("conflicting options: port publishing (-p, -P) and --network none")
		case "host":
			warnings = append(warnings, "Published ports are discarded when using host network mode")
			hc.PortBindings, hc.PublishAllPorts = nil, false
		}
	}
	if changed(flags, "init") {
		hc.Init = &f.init
	}
	if (len(f.networkAliases) > 0 || f.ip != "") && (hc.NetworkMode == "none" || hc.NetworkMode == "host" || strings.HasPrefix(hc.NetworkMode, "container:")) {
		return none, nil, fmt.Errorf("--network-alias and --ip need a bridge network, not --network %s", hc.NetworkMode)
	}
	opts := engine.CreateOptions{Name: f.name, Config: cc, HostConfig: hc,
		NetworkAliases: f.networkAliases, IP: f.ip}
	if err := f.ns.apply(&opts); err != nil {
		return none, nil, err
	}
	return opts, warnings, nil
}

// resources validates and converts the cgroup limits, with docker's rules.
func (f *containerFlags) resources(flags *pflag.FlagSet) (engine.Resources, error) {
	r := engine.Resources{
		Memory:     f.memory.bytes,
		MemorySwap: f.memorySwap.bytes,
		NanoCPUs:   f.cpus.nano,
		CPUShares:  f.cpuShares,
		CpusetCpus: f.cpusetCpus,
	}
	const minMemory = 6 * 1024 * 1024
	if r.Memory > 0 && r.Memory < minMemory {
		return r, daemonSide(errors.New("minimum memory limit allowed is 6MB"))
	}
	if r.MemorySwap > 0 {
		if r.Memory == 0 {
			return r, daemonSide(errors.New("you should always set the memory limit when using the memoryswap limit, see usage"))
		}
		if r.MemorySwap < r.Memory {
			return r, daemonSide(errors.New("minimum memoryswap limit should be larger than memory limit, see usage"))
		}
	}
	if r.CPUShares < 0 {
		return r, fmt.Errorf("invalid CPU shares %d: must not be negative", r.CPUShares)
	}
	if r.CpusetCpus != "" {
		if err := validateCPUSet(r.CpusetCpus); err != nil {
			return r, err
		}
	}
	if changed(flags, "pids-limit") {
		n := f.pidsLimit
		r.PidsLimit = &n
	}
	for _, d := range f.devices {
		m, err := engine.ParseDevice(d)
		if err != nil {
			return r, fmt.Errorf("invalid argument %q for \"--device\" flag: %w", d, err)
		}
		r.Devices = append(r.Devices, m)
	}
	for _, rule := range f.deviceCgroupRules {
		if err := engine.CheckDeviceCgroupRule(rule); err != nil {
			return r, fmt.Errorf("invalid argument %q for \"--device-cgroup-rule\" flag: %w", rule, err)
		}
	}
	r.DeviceCgroupRules = f.deviceCgroupRules
	return r, nil
}

func (a *app) runCommand() *cobra.Command {
	var f containerFlags
	cmd := newCommand("run [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image", minArgs(1),
		nil)
	cmd.Long = "Create and run a new container from an image.\n\n" +
		"Networking: the container joins the default bridge network unless --network\n" +
		"says otherwise (or default-network in the settings file): a network made\n" +
		"with `berth network create`, where containers find each other by name,\n" +
		"host (the host's network), or none (loopback only). -p publishes ports on\n" +
		"the host's addresses, 127.0.0.1 included."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runError(cmd.CommandPath(), a.runContainer(cmd, &f, args))
	}
	f.register(cmd.Flags(), true)
	return cmd
}

func (a *app) createCommand() *cobra.Command {
	var f containerFlags
	cmd := newCommand("create [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.createContainer(cmd, &f, args)
		if err != nil {
			return createError(cmd.CommandPath(), err)
		}
		fmt.Fprintln(a.stdout, c.ID)
		return nil
	}
	f.register(cmd.Flags(), false)
	return cmd
}

func (a *app) createContainer(cmd *cobra.Command, f *containerFlags, args []string) (_ *engine.Container, err error) {
	opts, warnings, err := f.createOptions(cmd.Flags(), args[0], args[1:], a.cfg, a.hostFiles())
	if err != nil {
		return nil, err
	}
	if err := f.res.apply(f.detach, &opts); err != nil {
		return nil, err
	}
	defer func() { err = daemonSide(err) }()
	cid, err := openCIDFile(f.res.cidfile)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := cid.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "WARNING:", w)
	}
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	ctx := cmd.Context()
	if f.pull == "always" {
		if err := a.pullForRun(cmd, opts.Config.Image); err != nil {
			return nil, err
		}
	}
	c, err := eng.Create(ctx, opts)
	if errors.Is(err, images.ErrNotFound) && f.pull == "missing" {
		fmt.Fprintf(a.stderr, "Unable to find image '%s' locally\n", familiarName(opts.Config.Image))
		if err := a.pullForRun(cmd, opts.Config.Image); err != nil {
			return nil, err
		}
		c, err = eng.Create(ctx, opts)
	}
	if err == nil {
		err = cid.write(c.ID)
	}
	return c, err
}

// pullForRun pulls an image for run or create, its progress on stderr as
// docker prints it there.
func (a *app) pullForRun(cmd *cobra.Command, ref string) error {
	store, err := a.images()
	if err != nil {
		return err
	}
	_, err = store.Pull(cmd.Context(), ref, images.PullOptions{
		Registry: a.registryOptions(a.cfg.MaxConcurrentDownloads),
		Progress: newProgressPrinter(a.stderr, a.sys.isTerminal(a.stderr)).update,
	})
	return err
}

// familiarName is a reference as docker shows it: "alpine" → "alpine:latest".
func familiarName(ref string) string {
	named, err := images.ParseReference(ref)
	if err != nil {
		return ref
	}
	return images.FamiliarReference(named.String())
}

// runContainer is `berth run`: create, then start detached (-d: print the
// ID) or run attached and end with the container's exit code.
func (a *app) runContainer(cmd *cobra.Command, f *containerFlags, args []string) error {
	terminal := f.tty && f.interactive && a.sys.isTerminal(a.stdin)
	if f.tty && f.interactive && !f.detach && !terminal {
		return errors.New("the input device is not a TTY")
	}
	c, err := a.createContainer(cmd, f, args)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if f.detach {
		if err := a.eng.Start(ctx, c.ID); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, c.ID)
		return nil
	}
	attach := engine.AttachOptions{Stdout: a.stdout, Stderr: a.stderr, DetachKeys: f.detachKeys, Terminal: terminal}
	if f.interactive {
		attach.Stdin = a.stdin
	}
	attachStreams(c.Config, &attach)
	if f.sigProxy && !f.tty {
		stop := a.proxySignals(ctx, c.ID)
		defer stop()
	}
	res, err := a.eng.Run(ctx, c.ID, attach)
	if err != nil {
		return err
	}
	if res.Detached {
		return nil
	}
	return exitStatus(res.ExitCode)
}

// proxySignals forwards the signals a user sends berth to the container, as
// docker run's --sig-proxy does, until stop is called.
func (a *app) proxySignals(ctx context.Context, id string) (stop func()) {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				name := unix.SignalName(s.(syscall.Signal))
				if err := a.eng.Kill(ctx, id, name); err != nil {
					a.log.Debug("forward signal", "signal", name, "err", err)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

func (a *app) startCommand() *cobra.Command {
	var attach, interactive bool
	var detachKeys string
	cmd := newCommand("start [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		if attach || interactive {
			if len(args) > 1 {
				return usageError(cmd.CommandPath(), errors.New("you cannot start and attach multiple containers at once"))
			}
			opts := engine.AttachOptions{Stdout: a.stdout, Stderr: a.stderr, DetachKeys: detachKeys}
			if interactive {
				opts.Stdin = a.stdin
				opts.Terminal = a.sys.isTerminal(a.stdin)
			}
			// Run attaches from the first byte of output, or attaches to a
			// container that already runs.
			res, err := eng.Run(cmd.Context(), args[0], opts)
			if err != nil || res.Detached {
				return err
			}
			return exitStatus(res.ExitCode)
		}
		return a.forEach(args, func(ref string) error { return eng.Start(cmd.Context(), ref) })
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "attach STDOUT/STDERR and forward signals")
	cmd.Flags().BoolVarP(&interactive, "interactive", "i", false, "attach container's STDIN")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

func (a *app) attachCommand() *cobra.Command {
	var noStdin, sigProxy bool
	var detachKeys string
	cmd := newCommand("attach [OPTIONS] CONTAINER", "Attach local standard input, output, and error streams to a running container", exactArgs(1), nil)
	cmd.Long = "Attach to a running container's streams; ctrl-p ctrl-q (or --detach-keys)\n" +
		"detaches and leaves it running. berth ends with the container's exit code."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if detachKeys != "" {
			if err := validateDetachKeys(detachKeys); err != nil {
				return usageError(cmd.CommandPath(), err)
			}
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		c, err := eng.Inspect(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		opts := engine.AttachOptions{Stdout: a.stdout, Stderr: a.stderr, DetachKeys: detachKeys}
		if !noStdin && c.Config.OpenStdin {
			opts.Stdin = a.stdin
			opts.Terminal = c.Config.Tty && a.sys.isTerminal(a.stdin)
		}
		if sigProxy && !c.Config.Tty {
			stop := a.proxySignals(cmd.Context(), c.ID)
			defer stop()
		}
		res, err := eng.Attach(cmd.Context(), c.ID, opts)
		if err != nil || res.Detached {
			return err
		}
		return exitStatus(res.ExitCode)
	}
	flags := cmd.Flags()
	flags.BoolVar(&noStdin, "no-stdin", false, "do not attach STDIN")
	flags.BoolVar(&sigProxy, "sig-proxy", true, "proxy all received signals to the process (without a TTY)")
	flags.StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

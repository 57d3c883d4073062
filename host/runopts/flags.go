// Package runopts is `berth run`'s and `berth create`'s options, the one
// place every face turns run flags into the engine's CreateOptions: the
// CLI registers Flags on its commands, the full-screen program's run form
// hands its fields to Parse as the same flags, and both get docker's
// checks and docker's messages.
//
// Start with Flags (flags.go): Register defines the flags, CreateOptions
// builds and validates. The parsers of single values (sizes, ports,
// restart policies, mounts, env and label files) are pure functions
// beside it, pinned by table tests.
package runopts

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"berth/config"
	"berth/engine"
)

// Flags are the flags of `berth run` and `berth create`. The exported
// fields are those the CLI acts on beyond CreateOptions: how it attaches
// and whether it pulls.
type Flags struct {
	Detach, Interactive, TTY, SigProxy                 bool
	autoRemove, readOnly, privileged, init, publishAll bool

	// DetachKeys is --detach-keys; Pull is --pull: always, missing or never.
	DetachKeys, Pull string

	name, hostname, workdir, user, entrypoint, network, restart string
	stopSignal, cpusetCpus, cgroupParent, ip                    string
	networkAliases                                              []string

	stopTimeout          int
	cpuShares, pidsLimit int64
	memory, memorySwap   MemoryValue
	cpus                 NanoCPUsValue

	env, envFiles, labels, labelFiles, volumes, tmpfs, logOpts []string
	capAdd, capDrop, securityOpts, publish, expose             []string
	devices, deviceCgroupRules                                 []string
	res                                                        resFlags
	ns                                                         nsFlags
	health                                                     healthFlags
	vol                                                        volumeFlags
}

// Register adds the flags to flags; run-only ones (-d, --rm's attach side, --sig-proxy,
// --detach-keys) are on create too, as in docker, where they are stored.
func (f *Flags) Register(flags *pflag.FlagSet, isRun bool) {
	flags.SetInterspersed(false) // flags after IMAGE belong to the command
	// -h is --hostname, as in docker: help is long-only here.
	flags.Bool("help", false, "print usage")
	if isRun {
		flags.BoolVarP(&f.Detach, "detach", "d", false, "run the container in the background and print its ID")
		flags.BoolVar(&f.SigProxy, "sig-proxy", true, "proxy received signals to the container (without -t)")
		flags.StringVar(&f.DetachKeys, "detach-keys", "", "key sequence that detaches from the container (default ctrl-p,ctrl-q)")
	}
	flags.BoolVarP(&f.Interactive, "interactive", "i", false, "keep STDIN open even if not attached")
	flags.BoolVarP(&f.TTY, "tty", "t", false, "allocate a pseudo-TTY")
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
	f.memorySwap.AllowUnlimited = true
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
	flags.StringVar(&f.Pull, "pull", "missing", `pull image before running ("always", "missing", "never")`)
	f.res.register(flags)
	f.ns.register(flags)
	f.health.register(flags)
	f.vol.register(flags)
}

// validNetworkName is docker's rule for network names.
var validNetworkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// HostFiles is what building CreateOptions reads from the machine berth
// runs on: its environment (-e KEY, --env-file) and its working directory
// (-v ./dir:/dir).
type HostFiles struct {
	LookupEnv func(string) (string, bool)
	Abs       func(string) (string, error)
}

// CreateOptions turns the flags, IMAGE and COMMAND into the engine's
// CreateOptions, validating everything docker validates before a container
// exists. It returns warnings to print.
func (f *Flags) CreateOptions(flags *pflag.FlagSet, image string, command []string, cfg *config.Config, host HostFiles) (engine.CreateOptions, []string, error) {
	var warnings []string
	var none engine.CreateOptions
	if image == "" {
		return none, nil, errors.New("image name cannot be empty")
	}
	switch f.Pull {
	case "always", "missing", "never":
	default:
		return none, nil, fmt.Errorf(`invalid pull option: '%s': must be one of "always", "missing" or "never"`, f.Pull)
	}
	fileEnv, err := ReadKeyValueFiles(f.envFiles, host.LookupEnv)
	if err != nil {
		return none, nil, err
	}
	flagEnv, err := ParseEnv(f.env, host.LookupEnv)
	if err != nil {
		return none, nil, err
	}
	fileLabels, err := ReadKeyValueFiles(f.labelFiles, nil)
	if err != nil {
		return none, nil, err
	}
	labels, err := ParseLabels(append(fileLabels, f.labels...))
	if err != nil {
		return none, nil, err
	}
	restart, err := ParseRestartPolicy(f.restart)
	if err != nil {
		return none, nil, err
	}
	if f.autoRemove && restart.Name != "no" {
		return none, nil, errors.New("conflicting options: cannot specify both --restart and --rm")
	}

	cc := engine.ContainerConfig{
		Hostname:   f.hostname,
		User:       f.user,
		Tty:        f.TTY,
		OpenStdin:  f.Interactive,
		Env:        append(fileEnv, flagEnv...),
		Image:      image,
		WorkingDir: f.workdir,
		Labels:     labels,
		StopSignal: f.stopSignal,
	}
	if len(command) > 0 {
		cc.Cmd = command
	}
	if !f.Detach {
		cc.AttachStdin = f.Interactive
		cc.AttachStdout, cc.AttachStderr = true, true
		cc.StdinOnce = f.Interactive
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
		if _, err := ParseSignal(f.stopSignal); err != nil {
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
	if f.DetachKeys != "" {
		if err := ValidateDetachKeys(f.DetachKeys); err != nil {
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
	if err := f.vol.apply(f.volumes, host.Abs, &cc, &hc); err != nil {
		return none, nil, err
	}
	if len(f.tmpfs) > 0 {
		hc.Tmpfs = map[string]string{}
		for _, t := range f.tmpfs {
			if err := parseTmpfs(hc.Tmpfs, t); err != nil {
				return none, nil, DaemonSide(err) // docker's CLI passes --tmpfs on unchecked
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
			if err := ParsePublish(p, hc.PortBindings, cc.ExposedPorts); err != nil {
				return none, nil, err
			}
		}
	}
	for _, e := range f.expose {
		if cc.ExposedPorts == nil {
			cc.ExposedPorts = map[string]struct{}{}
		}
		if err := ParseExpose(e, cc.ExposedPorts); err != nil {
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
	if err := f.res.apply(f.Detach, &opts); err != nil {
		return none, nil, err
	}
	return opts, warnings, nil
}

// CIDFile is --cidfile: the file the CLI writes the new container's ID to.
func (f *Flags) CIDFile() string { return f.res.cidfile }

// changed reports whether the flag was given.
func changed(flags *pflag.FlagSet, name string) bool {
	fl := flags.Lookup(name)
	return fl != nil && fl.Changed
}

// resources validates and converts the cgroup limits, with docker's rules.
func (f *Flags) resources(flags *pflag.FlagSet) (engine.Resources, error) {
	r := engine.Resources{
		Memory:     f.memory.Bytes,
		MemorySwap: f.memorySwap.Bytes,
		NanoCPUs:   f.cpus.Nano,
		CPUShares:  f.cpuShares,
		CpusetCpus: f.cpusetCpus,
	}
	const minMemory = 6 * 1024 * 1024
	if r.Memory > 0 && r.Memory < minMemory {
		return r, DaemonSide(errors.New("minimum memory limit allowed is 6MB"))
	}
	if r.MemorySwap > 0 {
		if r.Memory == 0 {
			return r, DaemonSide(errors.New("you should always set the memory limit when using the memoryswap limit, see usage"))
		}
		if r.MemorySwap < r.Memory {
			return r, DaemonSide(errors.New("minimum memoryswap limit should be larger than memory limit, see usage"))
		}
	}
	if r.CPUShares < 0 {
		return r, fmt.Errorf("invalid CPU shares %d: must not be negative", r.CPUShares)
	}
	if r.CpusetCpus != "" {
		if err := ValidateCPUSet(r.CpusetCpus); err != nil {
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

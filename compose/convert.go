package compose

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	units "github.com/docker/go-units"

	"berth/engine"
	"berth/host/runopts"
)

// ImageName is the image a service runs: its image, or for a service
// that only builds, project-service as Docker Compose v2 tags it.
func ImageName(project string, s types.ServiceConfig) string {
	if s.Image != "" {
		return s.Image
	}
	return project + "-" + s.Name
}

// containerSpec is one container of a service as up creates it: the
// engine's options and the networks it joins after its first.
type containerSpec struct {
	opts engine.CreateOptions
	// more are the service's networks after the first, by real name,
	// each with its aliases: the engine joins one network at create.
	more []networkJoin
}

type networkJoin struct {
	name    string
	options engine.ConnectOptions
}

// createOptions turns service s of project p into the options of its
// container number n, labelled with the project, the service, the
// number and the configuration hash. What berth cannot do is refused
// with the service and the key.
func createOptions(p *types.Project, s types.ServiceConfig, n int, hash string) (containerSpec, error) {
	fail := func(key string, err error) (containerSpec, error) {
		if ke := (*keyError)(nil); errors.As(err, &ke) {
			key, err = ke.key, ke.err
		}
		return containerSpec{}, &serviceKeyError{s.Name, key, err}
	}
	if err := unsupported(s); err != nil {
		return fail(err.key, err)
	}
	cc := engine.ContainerConfig{
		Hostname:    s.Hostname,
		Domainname:  s.DomainName,
		User:        s.User,
		Tty:         s.Tty,
		OpenStdin:   s.StdinOpen,
		Image:       ImageName(p.Name, s),
		WorkingDir:  s.WorkingDir,
		Env:         environment(s.Environment),
		StopSignal:  s.StopSignal,
		MacAddress:  s.MacAddress,
		Labels:      containerLabels(p, s, n, hash),
		Entrypoint:  []string(s.Entrypoint),
		Cmd:         []string(s.Command),
		Healthcheck: healthcheck(s.HealthCheck),
	}
	if s.StopGracePeriod != nil {
		secs := int(time.Duration(*s.StopGracePeriod).Round(time.Second) / time.Second)
		cc.StopTimeout = &secs
	}
	hc := engine.HostConfig{
		CapAdd:         s.CapAdd,
		CapDrop:        s.CapDrop,
		Privileged:     s.Privileged,
		ReadonlyRootfs: s.ReadOnly,
		SecurityOpt:    s.SecurityOpt,
		CgroupParent:   s.CgroupParent,
		ShmSize:        int64(s.ShmSize),
		GroupAdd:       s.GroupAdd,
		Sysctls:        map[string]string(s.Sysctls),
		OomScoreAdj:    int(s.OomScoreAdj),
		DNS:            s.DNS,
		DNSOptions:     s.DNSOpts,
		DNSSearch:      s.DNSSearch,
		ExtraHosts:     s.ExtraHosts.AsList(":"),
		Links:          links(p, s.Links),
		PidMode:        s.Pid,
		IpcMode:        s.Ipc,
		UTSMode:        s.Uts,
		Init:           s.Init,
		VolumesFrom:    s.VolumesFrom,
		Tmpfs:          map[string]string{},
	}
	if s.Logging != nil {
		hc.LogConfig = engine.LogConfig{Type: s.Logging.Driver, Config: s.Logging.Options}
	}
	restart, err := restartPolicy(s)
	if err != nil {
		return fail("restart", err)
	}
	hc.RestartPolicy = restart
	if hc.Resources, err = resources(s); err != nil {
		return fail("resources", err)
	}
	if err := ports(s, &cc, &hc); err != nil {
		return fail("ports", err)
	}
	for _, t := range s.Tmpfs {
		target, opts, _ := strings.Cut(t, ":")
		hc.Tmpfs[target] = opts
	}
	if err := mounts(p, s, &hc); err != nil {
		return fail("volumes", err)
	}
	binds, err := fileBinds(p, s)
	if err != nil {
		return fail("secrets", err)
	}
	hc.Binds = append(hc.Binds, binds...)
	spec := containerSpec{opts: engine.CreateOptions{
		Name:       ContainerName(p.Name, s, n),
		Config:     cc,
		HostConfig: hc,
		Platform:   s.Platform,
	}}
	if err := networks(p, s, &spec); err != nil {
		return fail("networks", err)
	}
	return spec, nil
}

// keyError is a service key berth cannot act on.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.err.Error() }

// unsupported refuses what a service asks for and berth cannot do,
// rather than running it without: a GPU, another runtime, user
// namespaces, storage options.
func unsupported(s types.ServiceConfig) *keyError {
	checks := []struct {
		key string
		set bool
	}{
		{"gpus", len(s.Gpus) > 0},
		{"runtime", s.Runtime != "" && s.Runtime != "runc"},
		{"isolation", s.Isolation != "" && s.Isolation != "default"},
		{"userns_mode", s.UserNSMode != ""},
		{"storage_opt", len(s.StorageOpt) > 0},
		{"cpu_rt_runtime", s.CPURTRuntime != 0},
		{"cpu_rt_period", s.CPURTPeriod != 0},
		{"credential_spec", s.CredentialSpec != nil},
		{"provider", s.Provider != nil},
		{"models", len(s.Models) > 0},
		{"post_start", len(s.PostStart) > 0},
		{"pre_stop", len(s.PreStop) > 0},
		{"use_api_socket", s.UseAPISocket},
	}
	for _, c := range checks {
		if c.set {
			return &keyError{c.key, fmt.Errorf("not supported by berth")}
		}
	}
	return nil
}

// containerLabels are the service's labels and Docker Compose's.
func containerLabels(p *types.Project, s types.ServiceConfig, n int, hash string) map[string]string {
	labels := map[string]string{}
	maps.Copy(labels, s.Labels)
	maps.Copy(labels, projectLabels(p))
	labels[LabelService] = s.Name
	labels[LabelNumber] = strconv.Itoa(n)
	labels[LabelOneoff] = "False"
	labels[LabelConfigHash] = hash
	labels[LabelDependsOn] = dependsOnLabel(s)
	return labels
}

// projectLabels are the labels every container of project p carries:
// the project, where it was loaded from, and who made it.
func projectLabels(p *types.Project) map[string]string {
	labels := map[string]string{
		LabelProject:     p.Name,
		LabelWorkingDir:  p.WorkingDir,
		LabelConfigFiles: strings.Join(p.ComposeFiles, ","),
		LabelVersion:     version,
	}
	return labels
}

// dependsOnLabel is Docker Compose v2's record of a container's
// dependencies: service:condition:restart, comma separated.
func dependsOnLabel(s types.ServiceConfig) string {
	var deps []string
	for _, name := range slices.Sorted(maps.Keys(s.DependsOn)) {
		d := s.DependsOn[name]
		deps = append(deps, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	return strings.Join(deps, ",")
}

// environment is the service's environment as KEY=VALUE, sorted; a
// variable without a value (and none in the environment) is left out.
func environment(env types.MappingWithEquals) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if v := env[k]; v != nil {
			out = append(out, k+"="+*v)
		}
	}
	return out
}

// healthcheck is the service's healthcheck in the engine's terms; nil
// keeps the image's.
func healthcheck(h *types.HealthCheckConfig) *engine.HealthConfig {
	if h == nil {
		return nil
	}
	if h.Disable {
		return &engine.HealthConfig{Test: []string{"NONE"}}
	}
	dur := func(d *types.Duration) time.Duration {
		if d == nil {
			return 0
		}
		return time.Duration(*d)
	}
	cfg := &engine.HealthConfig{
		Test:          []string(h.Test),
		Interval:      dur(h.Interval),
		Timeout:       dur(h.Timeout),
		StartPeriod:   dur(h.StartPeriod),
		StartInterval: dur(h.StartInterval),
	}
	if h.Retries != nil {
		cfg.Retries = int(*h.Retries)
	}
	return cfg
}

// links are docker's "CONTAINER:ALIAS" links of the service: links:
// names a service (its first container is linked), reached by the
// alias or, without one, by the service's name.
func links(p *types.Project, in []string) []string {
	var out []string
	for _, l := range in {
		name, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = name
		}
		target := name
		if svc, ok := p.Services[name]; ok {
			target = ContainerName(p.Name, svc, 1)
		}
		out = append(out, target+":"+alias)
	}
	return out
}

// restartPolicy is restart:, or deploy.restart_policy when restart is
// not given.
func restartPolicy(s types.ServiceConfig) (engine.RestartPolicy, error) {
	if s.Restart != "" || s.Deploy == nil || s.Deploy.RestartPolicy == nil {
		if s.Restart == "" {
			return engine.RestartPolicy{Name: "no"}, nil
		}
		return runopts.ParseRestartPolicy(s.Restart)
	}
	rp := s.Deploy.RestartPolicy
	policy := engine.RestartPolicy{}
	switch rp.Condition {
	case "none":
		policy.Name = "no"
	case "on-failure":
		policy.Name = "on-failure"
	case "", "any":
		policy.Name = "always"
	default:
		return policy, fmt.Errorf("deploy.restart_policy.condition %q: none, on-failure or any", rp.Condition)
	}
	if rp.MaxAttempts != nil {
		policy.MaximumRetryCount = int(*rp.MaxAttempts)
	}
	return policy, nil
}

// resources are the service's limits: the container's own keys, then
// deploy.resources where those are not given.
func resources(s types.ServiceConfig) (engine.Resources, error) {
	r := engine.Resources{
		Memory:            int64(s.MemLimit),
		MemorySwap:        int64(s.MemSwapLimit),
		MemoryReservation: int64(s.MemReservation),
		NanoCPUs:          int64(float64(s.CPUS) * 1e9),
		CPUShares:         s.CPUShares,
		CpusetCpus:        s.CPUSet,
		CPUPeriod:         s.CPUPeriod,
		CPUQuota:          s.CPUQuota,
		DeviceCgroupRules: s.DeviceCgroupRules,
	}
	if s.OomKillDisable {
		yes := true
		r.OomKillDisable = &yes
	}
	if s.PidsLimit != 0 {
		limit := s.PidsLimit
		r.PidsLimit = &limit
	}
	if s.Deploy != nil {
		if l := s.Deploy.Resources.Limits; l != nil {
			if r.Memory == 0 {
				r.Memory = int64(l.MemoryBytes)
			}
			if r.NanoCPUs == 0 {
				r.NanoCPUs = int64(float64(l.NanoCPUs) * 1e9)
			}
			if r.PidsLimit == nil && l.Pids != 0 {
				pids := l.Pids
				r.PidsLimit = &pids
			}
			if len(l.Devices) > 0 {
				return r, fmt.Errorf("deploy.resources.limits.devices: not supported by berth")
			}
		}
		if res := s.Deploy.Resources.Reservations; res != nil {
			if r.MemoryReservation == 0 {
				r.MemoryReservation = int64(res.MemoryBytes)
			}
			if len(res.Devices) > 0 {
				return r, fmt.Errorf("deploy.resources.reservations.devices: not supported by berth")
			}
		}
	}
	for _, d := range s.Devices {
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		target := d.Target
		if target == "" {
			target = d.Source
		}
		r.Devices = append(r.Devices, engine.DeviceMapping{PathOnHost: d.Source, PathInContainer: target, CgroupPermissions: perms})
	}
	for _, name := range slices.Sorted(maps.Keys(s.Ulimits)) {
		u := s.Ulimits[name]
		soft, hard := int64(u.Soft), int64(u.Hard)
		if u.Single != 0 {
			soft, hard = int64(u.Single), int64(u.Single)
		}
		r.Ulimits = append(r.Ulimits, &units.Ulimit{Name: name, Soft: soft, Hard: hard})
	}
	return r, nil
}

// ports publishes the service's ports and exposes expose:, with run's
// -p and --expose rules.
func ports(s types.ServiceConfig, cc *engine.ContainerConfig, hc *engine.HostConfig) error {
	cc.ExposedPorts = map[string]struct{}{}
	hc.PortBindings = map[string][]engine.PortBinding{}
	for _, p := range s.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		spec := strconv.FormatUint(uint64(p.Target), 10) + "/" + proto
		if p.Published != "" || p.HostIP != "" {
			ip := p.HostIP
			if strings.Contains(ip, ":") {
				ip = "[" + ip + "]"
			}
			spec = ip + ":" + p.Published + ":" + spec
		}
		if err := runopts.ParsePublish(spec, hc.PortBindings, cc.ExposedPorts); err != nil {
			return err
		}
	}
	for _, e := range s.Expose {
		if err := runopts.ParseExpose(e, cc.ExposedPorts); err != nil {
			return &keyError{"expose", err}
		}
	}
	return nil
}

// mounts are the service's volumes: binds (whose missing host path is
// made, unless create_host_path is false), the project's named volumes
// by their real names, anonymous volumes and tmpfs.
func mounts(p *types.Project, s types.ServiceConfig, hc *engine.HostConfig) error {
	for _, v := range s.Volumes {
		switch v.Type {
		case types.VolumeTypeBind:
			if v.Bind == nil || bool(v.Bind.CreateHostPath) {
				mode := "rw"
				if v.ReadOnly {
					mode = "ro"
				}
				if v.Bind != nil && v.Bind.Propagation != "" {
					mode += "," + v.Bind.Propagation
				}
				hc.Binds = append(hc.Binds, v.Source+":"+v.Target+":"+mode)
				continue
			}
			m := engine.Mount{Type: "bind", Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly}
			if v.Bind.Propagation != "" {
				m.BindOptions = &engine.BindOptions{Propagation: v.Bind.Propagation}
			}
			hc.Mounts = append(hc.Mounts, m)
		case types.VolumeTypeVolume:
			m := engine.Mount{Type: "volume", Target: v.Target, ReadOnly: v.ReadOnly}
			if v.Source != "" {
				vol, ok := p.Volumes[v.Source]
				if !ok {
					return fmt.Errorf("volume %q is not declared in the top-level volumes", v.Source)
				}
				m.Source = vol.Name
			}
			if v.Volume != nil {
				if v.Volume.Subpath != "" {
					return fmt.Errorf("%s: volume subpath: not supported by berth", v.Target)
				}
				if v.Volume.NoCopy {
					m.VolumeOptions = &engine.VolumeOptions{NoCopy: true}
				}
			}
			hc.Mounts = append(hc.Mounts, m)
		case types.VolumeTypeTmpfs:
			var opts []string
			if v.Tmpfs != nil {
				if v.Tmpfs.Size != 0 {
					opts = append(opts, "size="+strconv.FormatInt(int64(v.Tmpfs.Size), 10))
				}
				if v.Tmpfs.Mode != 0 {
					opts = append(opts, "mode="+strconv.FormatUint(uint64(v.Tmpfs.Mode), 8))
				}
			}
			if v.ReadOnly {
				opts = append(opts, "ro")
			}
			hc.Tmpfs[v.Target] = strings.Join(opts, ",")
		default:
			return fmt.Errorf("%s: volume type %q: not supported by berth", v.Target, v.Type)
		}
	}
	return nil
}

// networks puts the container on the service's networks: network_mode
// when given (service:NAME becomes the container of that service),
// else the first network by priority at create and the others joined
// before it starts. On each the service's name is an alias, so that
// services find each other by name.
func networks(p *types.Project, s types.ServiceConfig, spec *containerSpec) error {
	if s.NetworkMode != "" {
		mode := s.NetworkMode
		if svc, ok := strings.CutPrefix(mode, "service:"); ok {
			mode = "container:" + ContainerName(p.Name, p.Services[svc], 1)
		}
		spec.opts.HostConfig.NetworkMode = mode
		return nil
	}
	for i, key := range s.NetworksByPriority() {
		nw, ok := p.Networks[key]
		if !ok {
			return fmt.Errorf("network %q is not declared in the top-level networks", key)
		}
		aliases := []string{s.Name}
		var ip string
		if cfg := s.Networks[key]; cfg != nil {
			aliases = append(aliases, cfg.Aliases...)
			ip = cfg.Ipv4Address
			if cfg.Ipv6Address != "" {
				return fmt.Errorf("%s: ipv6_address: berth sets an IPv4 address only", key)
			}
		}
		if i == 0 {
			spec.opts.HostConfig.NetworkMode = nw.Name
			spec.opts.NetworkAliases = aliases
			spec.opts.IP = ip
			continue
		}
		spec.more = append(spec.more, networkJoin{nw.Name, engine.ConnectOptions{Aliases: aliases, IP: ip}})
	}
	return nil
}

package engine

import (
	"path"
	"runtime"
	"slices"
	"strings"

	"berth/engine/containerinit"
)

// imageDefaults is the part of an image's config a container inherits.
type imageDefaults struct {
	Env          []string
	Cmd          []string
	Entrypoint   []string
	WorkingDir   string
	User         string
	Labels       map[string]string
	StopSignal   string
	ExposedPorts map[string]struct{}
	Volumes      map[string]struct{}
	Healthcheck  *HealthConfig
}

// mergeConfig applies docker's rules for what a container takes from its
// image: the user's values win; an --entrypoint drops the image's CMD; env
// and labels merge by key.
func mergeConfig(user ContainerConfig, img imageDefaults) (ContainerConfig, error) {
	c := user
	c.Env = containerEnv(img.Env, user.Env)
	if user.Entrypoint == nil {
		c.Entrypoint = img.Entrypoint
		if len(user.Cmd) == 0 {
			c.Cmd = img.Cmd
		}
	} else if len(user.Entrypoint) == 1 && user.Entrypoint[0] == "" {
		c.Entrypoint = nil // --entrypoint "" resets the image's
	}
	if len(c.Entrypoint)+len(c.Cmd) == 0 {
		return c, invalidf("no command specified")
	}
	if c.WorkingDir == "" {
		c.WorkingDir = img.WorkingDir
	}
	if c.WorkingDir != "" && !path.IsAbs(c.WorkingDir) {
		return c, invalidf("the working directory %q is invalid, it needs to be an absolute path", c.WorkingDir)
	}
	if c.User == "" {
		c.User = img.User
	}
	if c.StopSignal == "" {
		c.StopSignal = img.StopSignal
	}
	if len(img.Labels) > 0 {
		labels := make(map[string]string, len(img.Labels)+len(user.Labels))
		for k, v := range img.Labels {
			labels[k] = v
		}
		for k, v := range user.Labels {
			labels[k] = v
		}
		c.Labels = labels
	}
	if len(img.ExposedPorts) > 0 {
		ports := make(map[string]struct{}, len(img.ExposedPorts)+len(user.ExposedPorts))
		for p := range img.ExposedPorts {
			ports[p] = struct{}{}
		}
		for p := range user.ExposedPorts {
			ports[p] = struct{}{}
		}
		c.ExposedPorts = ports
	}
	if len(img.Volumes) > 0 {
		vols := make(map[string]struct{}, len(img.Volumes)+len(user.Volumes))
		for v := range img.Volumes {
			vols[v] = struct{}{}
		}
		for v := range user.Volumes {
			vols[v] = struct{}{}
		}
		c.Volumes = vols
	}
	c.Healthcheck = mergeHealthcheck(user.Healthcheck, img.Healthcheck)
	return c, checkHealthcheck(c.Healthcheck)
}

// containerEnv is a new container's Config.Env as docker makes it: the
// user's variables first, in their order, then the image's that the user
// did not set.
func containerEnv(image, user []string) []string {
	if len(user) == 0 {
		return slices.Clone(image)
	}
	out := slices.Clone(user)
	set := make(map[string]bool, len(user))
	for _, kv := range user {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	for _, kv := range image {
		if k, _, _ := strings.Cut(kv, "="); !set[k] {
			out = append(out, kv)
		}
	}
	return out
}

// mergeEnv overlays KEY=VALUE pairs on base, keeping base's order.
func mergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	index := make(map[string]int, len(out))
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
		} else {
			index[k] = len(out)
			out = append(out, kv)
		}
	}
	return out
}

// checkHostConfig rejects what docker rejects before anything is created.
func checkHostConfig(hc *HostConfig) error {
	switch hc.RestartPolicy.Name {
	case "", "no":
		if hc.RestartPolicy.MaximumRetryCount != 0 {
			return invalidf("maximum retry count cannot be used with restart policy %q", hc.RestartPolicy.Name)
		}
	case "always", "unless-stopped":
		if hc.RestartPolicy.MaximumRetryCount != 0 {
			return invalidf("maximum retry count cannot be used with restart policy %q", hc.RestartPolicy.Name)
		}
		if hc.AutoRemove {
			return invalidf("conflicting options: cannot specify both --restart and --rm")
		}
	case "on-failure":
		if hc.RestartPolicy.MaximumRetryCount < 0 {
			return invalidf("invalid restart policy: maximum retry count cannot be negative")
		}
		if hc.AutoRemove {
			return invalidf("conflicting options: cannot specify both --restart and --rm")
		}
	default:
		return invalidf("invalid restart policy %q: must be no, on-failure[:max-retries], always or unless-stopped", hc.RestartPolicy.Name)
	}
	if hc.Memory != 0 && hc.Memory < 6*1024*1024 {
		return invalidf("minimum memory limit allowed is 6MB")
	}
	if hc.MemorySwap > 0 {
		if hc.Memory == 0 {
			return invalidf("you should always set the memory limit when using the memoryswap limit, see usage")
		}
		if hc.MemorySwap < hc.Memory {
			return invalidf("minimum memoryswap limit should be larger than memory limit, see usage")
		}
	}
	if n := int64(runtime.NumCPU()); hc.NanoCPUs < 0 || hc.NanoCPUs > n*1e9 {
		return invalidf("range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n)
	}
	if hc.CPUShares < 0 {
		return invalidf("invalid CPU shares %d: must be positive", hc.CPUShares)
	}
	for _, b := range hc.Binds {
		bd, err := parseBind(b)
		if err != nil {
			return err
		}
		if err := containerinit.CheckMountTarget(bd.Destination); err != nil {
			return invalidf("invalid mount config for type \"bind\": %v", err)
		}
	}
	if err := checkMounts(hc); err != nil {
		return err
	}
	for dst := range hc.Tmpfs {
		if !path.IsAbs(dst) {
			return invalidf("invalid tmpfs mount %q: mount path must be absolute", dst)
		}
		if err := containerinit.CheckMountTarget(dst); err != nil {
			return invalidf("invalid mount config for type \"tmpfs\": %v", err)
		}
	}
	for _, opt := range hc.SecurityOpt {
		switch key, value, _ := splitSecurityOpt(opt); {
		case opt == "no-new-privileges", key == "no-new-privileges" && (value == "true" || value == "false"):
		case key == "seccomp" && value != "":
		default:
			return invalidf("invalid --security-opt %q: only no-new-privileges and seccomp are supported", opt)
		}
	}
	if err := checkLogDriver(hc.LogConfig.Type); err != nil {
		return err
	}
	return nil
}

func noNewPrivileges(opts []string) bool {
	nnp := false
	for _, opt := range opts {
		if key, value, _ := splitSecurityOpt(opt); key == "no-new-privileges" {
			nnp = value == "" || value == "true"
		}
	}
	return nnp
}

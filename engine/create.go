package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"berth/engine/containerinit"
	"berth/engine/events"
	"berth/engine/jsonlog"
	"berth/engine/network"
	"berth/images"
)

// Create makes a container from an image without starting it: its record,
// its name, its writable layer and its /etc files. On any error nothing of
// it is left.
func (e *Engine) Create(ctx context.Context, opts CreateOptions) (*Container, error) {
	c, err := e.create(opts)
	if err != nil {
		return nil, fmt.Errorf("create container: %w", err)
	}
	return c, nil
}

func (e *Engine) create(opts CreateOptions) (*Container, error) {
	hc := opts.HostConfig
	if err := checkHostConfig(&hc); err != nil {
		return nil, err
	}
	if err := checkHealthcheck(opts.Config.Healthcheck); err != nil {
		return nil, err
	}
	if err := checkDevices(hc.Resources, hostDevices{}); err != nil {
		return nil, err
	}
	warnf := e.warnf
	if opts.Warn != nil {
		warnf = func(format string, args ...any) { opts.Warn(fmt.Sprintf(format, args...)) }
	}
	if err := e.adaptResourceFlags(&hc, warnf); err != nil {
		return nil, err
	}
	rawLinks := hc.Links
	if err := e.checkNamespaces(&hc, &opts.Config); err != nil {
		return nil, err
	}
	networkLinks := e.moveUserNetworkLinks(&hc, rawLinks)
	if hc.NetworkMode == "" {
		hc.NetworkMode = e.opts.DefaultNetwork
	}
	if hc.RestartPolicy.Name == "" {
		hc.RestartPolicy.Name = "no"
	}
	caps, err := containerinit.Capabilities(hc.CapAdd, hc.CapDrop, hc.Privileged)
	if err != nil {
		return nil, invalidf("%v", err)
	}
	seccompProfile, err := loadSeccompProfile(hc.SecurityOpt)
	if err != nil {
		return nil, err
	}
	if seccompProfile != nil {
		// A profile libseccomp cannot compile fails now, not at start.
		draft := &record{Container: Container{HostConfig: hc}, SeccompProfile: seccompProfile}
		if _, err := e.seccompProgram(draft, caps); err != nil {
			return nil, invalidf("seccomp profile %s: %v", seccompOption(hc.SecurityOpt), err)
		}
	}
	logOpts, err := e.logOptions(hc.LogConfig.Config)
	if err != nil {
		return nil, err
	}
	hc.LogConfig = LogConfig{Type: hc.LogConfig.Type, Config: hc.LogConfig.Config}
	if hc.LogConfig.Type == "" {
		hc.LogConfig.Type = logDriverJSONFile
	}
	if hc.LogConfig.Config == nil {
		hc.LogConfig.Config = map[string]string{}
	}
	if hc.CgroupParent == "" {
		hc.CgroupParent = e.opts.CgroupParent
	}

	ref := opts.Config.Image
	img, err := e.images.Lookup(ref)
	if err != nil {
		if errors.Is(err, images.ErrNotFound) {
			return nil, fmt.Errorf("unable to find image '%s' locally: %w", ref, err)
		}
		return nil, err
	}
	if err := checkPlatform(opts.Platform, img, ref); err != nil {
		return nil, err
	}
	ic := img.Config
	cfg, err := mergeConfig(opts.Config, imageDefaults{
		Env: ic.Env, Cmd: ic.Cmd, Entrypoint: ic.Entrypoint, WorkingDir: ic.WorkingDir,
		User: ic.User, Labels: ic.Labels, StopSignal: ic.StopSignal,
		ExposedPorts: ic.ExposedPorts, Volumes: ic.Volumes,
		Healthcheck: imageHealthcheck(ic.Healthcheck),
	})
	if err != nil {
		return nil, err
	}
	if !hasEnv(cfg.Env, "PATH") {
		cfg.Env = append([]string{"PATH=" + defaultPath}, cfg.Env...)
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = "SIGTERM"
	}
	if _, err := parseSignal(cfg.StopSignal); err != nil {
		return nil, err
	}

	if err := e.checkSpace(); err != nil {
		return nil, err
	}
	id := newID()
	if cfg.Hostname == "" {
		cfg.Hostname = id[:12]
	}
	var undo cleanup
	defer undo.run()
	// The name is released by undo and its reservation's lock by the
	// defer below, which runs first: a reservation without a record is
	// never both unlocked and still wanted.

	name := opts.Name
	var release func()
	if name != "" {
		name = strings.TrimPrefix(name, "/")
		if err := checkName(name); err != nil {
			return nil, err
		}
		if release, err = e.store.reserveName(name, id, e.discardAbandoned); err != nil {
			return nil, err
		}
	} else {
		for tries := 0; ; tries++ {
			name = randomName()
			if tries > 10 {
				name += fmt.Sprint(tries)
			}
			if release, err = e.store.reserveName(name, id, e.discardAbandoned); err == nil {
				break
			} else if !errors.Is(err, ErrNameInUse) || tries > 100 {
				return nil, err
			}
		}
	}
	defer release() // after the record is saved, or after undo
	undo.add(func() { e.store.releaseName(name, id) })

	dir := e.store.dir(id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make container directory: %w", err)
	}
	undo.add(func() { _ = os.RemoveAll(dir) }) // undo steps are best effort; the create's error is returned
	// rootfs is the empty mount point the init builds the root onto.
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		return nil, fmt.Errorf("make container directory: %w", err)
	}

	mounts, err := e.images.CreateRootfs(id, img.ID)
	if err != nil {
		return nil, images.WithImageName(err, ref)
	}
	undo.add(func() { _ = e.images.RemoveRootfs(id) })
	if len(mounts) != 1 {
		return nil, fmt.Errorf("image store described %d root mounts, want 1", len(mounts))
	}

	c := &record{
		Container: Container{
			ID:             id,
			Created:        time.Now().UTC(),
			State:          State{Status: StatusCreated},
			Image:          "sha256:" + img.ID,
			ResolvConfPath: filepath.Join(dir, "resolv.conf"),
			HostnamePath:   filepath.Join(dir, "hostname"),
			HostsPath:      filepath.Join(dir, "hosts"),
			LogPath:        filepath.Join(dir, id+"-json.log"),
			Name:           "/" + name,
			Driver:         e.images.Driver(),
			Platform:       "linux",
			Config:         cfg,
			HostConfig:     hc,
		},
		RootMount:      mountSpec(mounts[0]),
		LogOpts:        logOpts,
		NetworkAliases: opts.NetworkAliases,
		NetworkLinks:   networkLinks,
		IP:             opts.IP,
		SeccompProfile: seccompProfile,
	}
	args := append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
	c.Path, c.Args = args[0], args[1:]
	c.Mounts = []MountPoint{}
	// From the volumes it makes or finds until its record says it uses
	// them, no volume rm or prune may take them. Deferred after undo, the
	// lock is let go before undo removes what it made.
	if mayUseVolumes(c) {
		unlockVolumes, err := e.volumes.Hold()
		if err != nil {
			return nil, err
		}
		defer unlockVolumes()
	}
	newVolumes, err := e.resolveMounts(c, &undo)
	if err != nil {
		return nil, err
	}

	hostResolv := hostResolvConf()
	files := map[string][]byte{
		c.HostnamePath:   []byte(cfg.Hostname + "\n"),
		c.HostsPath:      network.HostsFile(cfg.Hostname, cfg.Domainname, nil),
		c.ResolvConfPath: resolvConfFor(hostResolv, nil, nil, nil),
	}
	if hc.NetworkMode == "host" {
		hostname, _ := os.Hostname()
		hosts, _ := os.ReadFile("/etc/hosts")
		files[c.HostnamePath] = []byte(hostname + "\n")
		files[c.HostsPath] = hosts
		files[c.ResolvConfPath] = hostResolv
		c.Config.Hostname = hostname
	}
	if err := e.nameFiles(c, files, hostResolv); err != nil {
		return nil, err
	}
	for p, b := range files {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", filepath.Base(p), err)
		}
	}
	if err := e.checkNetwork(c); err != nil {
		return nil, err
	}
	if err := e.store.save(c); err != nil {
		return nil, err
	}
	undo.release()
	for _, v := range newVolumes {
		e.volumeEvent("create", v.Name, nil)
	}
	e.event(c, "create", map[string]string{"image": cfg.Image})
	return &c.Container, nil
}

// discardAbandoned removes what a create of container id that died left
// (its directory without a record, its writable layer and image mounts), unless something
// of it runs: then its record was lost, and it is rm -f's to remove.
func (e *Engine) discardAbandoned(id string) error {
	if e.findLeftovers(id).running() {
		return fmt.Errorf("its record is missing but it still runs: remove it with rm -f %s: %w", id[:12], ErrRunning)
	}
	if err := e.images.RemoveRootfs(id); err != nil {
		return err
	}
	// Its image mounts, whose number only the lost record knew.
	mounts, err := e.images.RootfsIDs(imageMountPrefix(id))
	if err != nil {
		return err
	}
	for _, m := range mounts {
		if err := e.images.RemoveRootfs(m); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(e.store.dir(id)); err != nil {
		return fmt.Errorf("remove container directory: %w", err)
	}
	return nil
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// logOptions merges a container's --log-opt over the engine's defaults
// and checks them.
func (e *Engine) logOptions(opts map[string]string) (map[string]string, error) {
	merged := map[string]string{}
	for k, v := range e.opts.LogOpts {
		merged[k] = v
	}
	for k, v := range opts {
		merged[k] = v
	}
	if _, err := jsonlog.ParseOptions(merged); err != nil {
		return nil, invalidf("%v", err)
	}
	return merged, nil
}

// event records what happened to a container in the durable timeline,
// with docker's attributes: the container's labels, image and name beside
// attrs. A failure to record is not a failure of the operation: it is a
// warning.
func (e *Engine) event(c *record, action string, attrs map[string]string) {
	e.Emit(events.TypeContainer, action, c.ID, containerEventAttributes(c, attrs))
}

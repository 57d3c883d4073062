package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"berth/engine/containerinit"
	"berth/engine/volumes"
)

// Mounts: -v binds and volumes (HostConfig.Binds), --mount
// (HostConfig.Mounts), --volumes-from (HostConfig.VolumesFrom) and the
// anonymous volumes of -v /path and an image's VOLUME (Config.Volumes)
// are resolved once, at create, into the record's containerMounts: the
// volumes are made then (named ones on demand), missing -v host
// directories too. Start turns them into the init's mounts, mounts a
// volume's filesystem on the host when its options ask for one, and
// asks the init to fill an empty volume from the image on the
// container's first start (containerinit copy-up).

// Mount is one --mount, with Docker's API shape (api/types/mount).
type Mount struct {
	Type          string         `json:"Type,omitempty"` // bind, volume, tmpfs or image
	Source        string         `json:"Source,omitempty"`
	Target        string         `json:"Target,omitempty"`
	ReadOnly      bool           `json:"ReadOnly,omitempty"`
	BindOptions   *BindOptions   `json:"BindOptions,omitempty"`
	VolumeOptions *VolumeOptions `json:"VolumeOptions,omitempty"`
	TmpfsOptions  *TmpfsOptions  `json:"TmpfsOptions,omitempty"`
	ImageOptions  *ImageOptions  `json:"ImageOptions,omitempty"`
}

// ImageOptions are an image --mount's image-subpath: the path of the
// image's files to mount rather than all of them.
type ImageOptions struct {
	Subpath string `json:"Subpath,omitempty"`
}

// BindOptions are a bind --mount's bind-propagation, and
// ReadOnlyNonRecursive (docker's bind-recursive=writable): a read-only
// bind whose submounts stay writable.
type BindOptions struct {
	Propagation          string `json:"Propagation,omitempty"`
	ReadOnlyNonRecursive bool   `json:"ReadOnlyNonRecursive,omitempty"`
}

// VolumeOptions are a volume --mount's volume-nocopy, volume-label,
// volume-driver and volume-opt.
type VolumeOptions struct {
	NoCopy       bool              `json:"NoCopy,omitempty"`
	Labels       map[string]string `json:"Labels,omitempty"`
	DriverConfig *VolumeDriver     `json:"DriverConfig,omitempty"`
}

// VolumeDriver names a volume's driver and its options.
type VolumeDriver struct {
	Name    string            `json:"Name,omitempty"`
	Options map[string]string `json:"Options,omitempty"`
}

// TmpfsOptions are a tmpfs --mount's tmpfs-size (bytes) and tmpfs-mode
// (the permission bits as docker's CLI sends them, 01777 for "1777").
type TmpfsOptions struct {
	SizeBytes int64       `json:"SizeBytes,omitempty"`
	Mode      fs.FileMode `json:"Mode,omitempty"`
}

// containerMount is one mount of a container as create resolved it: what
// inspect shows (MountPoint) and what start mounts.
type containerMount struct {
	Type        string   // bind, volume, tmpfs or image
	Source      string   // host path; a volume's Mountpoint; "" for tmpfs; an image's ID
	Target      string   // inside the container
	Volume      string   `json:",omitempty"` // the volume's name; the image as the mount named it
	MountID     string   `json:",omitempty"` // an image mount's rootfs in the image store (imagemounts.go)
	SubPath     string   `json:",omitempty"` // the part of the image an image mount shows
	Mode        string   `json:",omitempty"` // as inspect shows it: -v's mode, "z" for named volumes
	ReadOnly    bool     `json:",omitempty"`
	Propagation string   `json:",omitempty"` // a bind's; "" is rprivate
	TopOnly     bool     `json:",omitempty"` // ReadOnly for the bind's top mount only (BindOptions.ReadOnlyNonRecursive)
	Options     []string `json:",omitempty"` // tmpfs: size=, mode=
	CopyUp      bool     `json:",omitempty"` // fill the volume from the image when empty
}

func (m containerMount) mountPoint() MountPoint {
	mp := MountPoint{Type: m.Type, Source: m.Source, Destination: m.Target, Mode: m.Mode, RW: !m.ReadOnly}
	switch m.Type {
	case "bind":
		mp.Propagation = m.Propagation
		if mp.Propagation == "" {
			mp.Propagation = "rprivate"
		}
	case "volume":
		mp.Name, mp.Driver = m.Volume, volumes.LocalDriver
	case "image":
		mp.Name = m.Volume
	}
	return mp
}

// volumeModes are the modes -v accepts after the paths, as docker.
var volumeModes = map[string]string{
	"ro": "access", "rw": "access",
	"z": "label", "Z": "label",
	"private": "propagation", "rprivate": "propagation", "shared": "propagation",
	"rshared": "propagation", "slave": "propagation", "rslave": "propagation",
	"nocopy":     "copy",
	"consistent": "consistency", "cached": "consistency", "delegated": "consistency",
}

// bind is one parsed -v SOURCE:DESTINATION[:MODE]: a host path or a
// volume's name.
type bind struct {
	Source, Destination string
	Mode                string
	ReadOnly, NoCopy    bool
	Propagation         string
	Volume              bool // Source names a volume
}

// parseBind reads a Binds entry, as docker's daemon does.
func parseBind(spec string) (bind, error) {
	parts := strings.Split(spec, ":")
	var b bind
	switch len(parts) {
	case 2:
	case 3:
		b.Mode = parts[2]
		seen := map[string]bool{}
		for _, m := range strings.Split(parts[2], ",") {
			kind, ok := volumeModes[m]
			if !ok || seen[kind] {
				return b, invalidf("invalid mode: %s", parts[2])
			}
			seen[kind] = true
			switch kind {
			case "access":
				b.ReadOnly = m == "ro"
			case "propagation":
				b.Propagation = m
			case "copy":
				b.NoCopy = true
			}
		}
	default:
		return b, invalidf("invalid volume specification: '%s'", spec)
	}
	b.Source, b.Destination = parts[0], parts[1]
	if b.Source == "" {
		return b, invalidf("invalid volume specification: '%s'", spec)
	}
	if !path.IsAbs(b.Destination) {
		return b, invalidf("invalid volume specification: '%s': invalid mount config for type \"volume\": invalid mount path: '%s' mount path must be absolute", spec, b.Destination)
	}
	b.Destination = path.Clean(b.Destination)
	if filepath.IsAbs(b.Source) {
		b.Source = filepath.Clean(b.Source)
		if b.NoCopy {
			return b, invalidf("invalid volume specification: '%s': nocopy is for volumes, not host paths", spec)
		}
		return b, nil
	}
	b.Volume = true
	if b.Propagation != "" {
		return b, invalidf("invalid volume specification: '%s': propagation is for host paths, not volumes", spec)
	}
	if err := volumes.CheckName(b.Source); err != nil {
		return b, invalidf("create %s: %v", b.Source, err)
	}
	return b, nil
}

// checkMounts rejects the --mount and --volumes-from entries docker
// rejects before anything is made.
func checkMounts(hc *HostConfig) error {
	for _, m := range hc.Mounts {
		if !path.IsAbs(m.Target) {
			return invalidf("invalid mount config for type %q: invalid mount path: '%s' mount path must be absolute", m.Type, m.Target)
		}
		if err := containerinit.CheckMountTarget(m.Target); err != nil {
			return invalidf("invalid mount config for type %q: %v", m.Type, err)
		}
		if m.ImageOptions != nil && m.Type != "image" {
			return invalidf("invalid mount config for type %q: image options are allowed only for type \"image\"", m.Type)
		}
		switch m.Type {
		case "bind":
			if m.Source == "" {
				return invalidf("invalid mount config for type \"bind\": field Source must not be empty")
			}
			if !filepath.IsAbs(m.Source) {
				return invalidf("invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", m.Source)
			}
			if m.VolumeOptions != nil || m.TmpfsOptions != nil {
				return invalidf("invalid mount config for type \"bind\": only bind options are allowed")
			}
			if m.BindOptions != nil && m.BindOptions.Propagation != "" && volumeModes[m.BindOptions.Propagation] != "propagation" {
				return invalidf("invalid mount config for type \"bind\": invalid propagation mode %q", m.BindOptions.Propagation)
			}
		case "volume":
			if m.Source != "" {
				if err := volumes.CheckName(m.Source); err != nil {
					return invalidf("create %s: %v", m.Source, err)
				}
			}
			if m.BindOptions != nil || m.TmpfsOptions != nil {
				return invalidf("invalid mount config for type \"volume\": only volume options are allowed")
			}
			if vo := m.VolumeOptions; vo != nil && vo.DriverConfig != nil {
				if d := vo.DriverConfig.Name; d != "" && d != volumes.LocalDriver {
					return invalidf("create %s: error looking up volume plugin %s: plugin %q not found", m.Source, d, d)
				}
				if err := volumes.CheckOptions(vo.DriverConfig.Options); err != nil {
					return invalidf("create %s: %v", m.Source, err)
				}
			}
		case "tmpfs":
			if m.Source != "" {
				return invalidf("invalid mount config for type \"tmpfs\": field Source must not be specified")
			}
			if m.BindOptions != nil || m.VolumeOptions != nil {
				return invalidf("invalid mount config for type \"tmpfs\": only tmpfs options are allowed")
			}
		case "image":
			if m.Source == "" {
				return invalidf("invalid mount config for type \"image\": the image to mount is required")
			}
			if m.BindOptions != nil || m.VolumeOptions != nil || m.TmpfsOptions != nil {
				return invalidf("invalid mount config for type \"image\": no bind, volume or tmpfs options are allowed")
			}
		default:
			return invalidf("invalid mount config: mount type unknown: %q", m.Type)
		}
	}
	for _, vf := range hc.VolumesFrom {
		if _, _, err := parseVolumesFrom(vf); err != nil {
			return err
		}
	}
	return nil
}

// parseVolumesFrom reads --volumes-from CONTAINER[:ro|rw].
func parseVolumesFrom(spec string) (ref, mode string, err error) {
	ref, mode, _ = strings.Cut(spec, ":")
	if ref == "" || (mode != "" && mode != "ro" && mode != "rw") {
		return "", "", invalidf("invalid --volumes-from %q: want CONTAINER[:ro|rw]", spec)
	}
	return ref, mode, nil
}

// mountPlan gathers a container's mounts at create, docker's order: the
// mounts of --volumes-from first, replaced by -v and --mount on the same
// destination, then the anonymous volumes of Config.Volumes where nothing
// is mounted yet. The volumes it makes and the host directories it
// creates are undone on failure by undo; created lists the volumes new.
type mountPlan struct {
	e       *Engine
	undo    *cleanup
	mounts  []containerMount
	created []*volumes.Volume
}

func (p *mountPlan) index(target string) int {
	return slices.IndexFunc(p.mounts, func(m containerMount) bool { return m.Target == target })
}

// add adds m; a destination already given by -v or --mount is an error,
// one from --volumes-from is replaced.
func (p *mountPlan) add(m containerMount, fromOther map[string]bool) error {
	if i := p.index(m.Target); i >= 0 {
		if !fromOther[m.Target] {
			return invalidf("duplicate mount point: %s", m.Target)
		}
		delete(fromOther, m.Target)
		p.mounts = slices.Delete(p.mounts, i, i+1)
	}
	p.mounts = append(p.mounts, m)
	return nil
}

// volume finds or makes the volume name ("" makes an anonymous one).
func (p *mountPlan) volume(name string, opts *VolumeOptions) (*volumes.Volume, error) {
	co := volumes.CreateOptions{Name: name}
	if name == "" {
		co.Labels = map[string]string{volumes.AnonymousLabel: ""}
	}
	if opts != nil {
		for k, v := range opts.Labels {
			if co.Labels == nil {
				co.Labels = map[string]string{}
			}
			co.Labels[k] = v
		}
		if opts.DriverConfig != nil {
			co.Driver, co.Options = opts.DriverConfig.Name, opts.DriverConfig.Options
		}
	}
	v, created, err := p.e.volumes.CreateLocked(co) // create holds the lock until its record is saved
	if err != nil {
		return nil, invalidf("%v", err)
	}
	if created {
		p.created = append(p.created, v)
		p.undo.add(func() { _ = p.e.volumes.Remove(v.Name) }) // best effort; the create's error is returned
	}
	return v, nil
}

// hostDir creates a missing -v host directory, as docker does.
func (p *mountPlan) hostDir(dir string) error {
	missing := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return invalidf("invalid mount config for type \"bind\": %v", err)
		}
		missing = d
		if d == "/" {
			break
		}
	}
	if missing == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create the host directory of -v: %w", err)
	}
	p.undo.add(func() { _ = os.RemoveAll(missing) }) // made by this create only
	return nil
}

// mayUseVolumes says whether c asks for any mount beyond --tmpfs.
func mayUseVolumes(c *record) bool {
	hc, cfg := &c.HostConfig, &c.Config
	return len(hc.Binds)+len(hc.Mounts)+len(hc.VolumesFrom)+len(cfg.Volumes) > 0
}

// resolveMounts fills c's mounts from its configuration.
func (e *Engine) resolveMounts(c *record, undo *cleanup) ([]*volumes.Volume, error) {
	if !mayUseVolumes(c) {
		return nil, nil
	}
	hc, cfg := &c.HostConfig, &c.Config
	p := &mountPlan{e: e, undo: undo}
	fromOther := map[string]bool{}
	for _, vf := range hc.VolumesFrom {
		ref, mode, _ := parseVolumesFrom(vf)
		src, err := e.get(ref)
		if err != nil {
			return nil, fmt.Errorf("--volumes-from %s: %w", ref, err)
		}
		for _, m := range src.containerMounts() {
			if m.Type == "tmpfs" || m.Type == "image" {
				continue
			}
			m.CopyUp = false
			switch mode {
			case "ro":
				m.ReadOnly = true
			case "rw":
				m.ReadOnly = false
			}
			if i := p.index(m.Target); i >= 0 {
				p.mounts = slices.Delete(p.mounts, i, i+1)
			}
			p.mounts = append(p.mounts, m)
			fromOther[m.Target] = true
		}
	}
	for _, spec := range hc.Binds {
		b, err := parseBind(spec)
		if err != nil {
			return nil, err
		}
		m := containerMount{Type: "bind", Source: b.Source, Target: b.Destination, Mode: b.Mode,
			ReadOnly: b.ReadOnly, Propagation: b.Propagation}
		if b.Volume {
			v, err := p.volume(b.Source, nil)
			if err != nil {
				return nil, err
			}
			m = containerMount{Type: "volume", Source: v.Mountpoint, Target: b.Destination, Volume: v.Name,
				Mode: b.Mode, ReadOnly: b.ReadOnly, CopyUp: !b.NoCopy}
			if m.Mode == "" {
				m.Mode = "z"
			}
		} else if err := p.hostDir(b.Source); err != nil {
			return nil, err
		}
		if err := p.add(m, fromOther); err != nil {
			return nil, err
		}
	}
	for _, mt := range hc.Mounts {
		m := containerMount{Type: mt.Type, Target: path.Clean(mt.Target), ReadOnly: mt.ReadOnly}
		switch mt.Type {
		case "bind":
			m.Source = filepath.Clean(mt.Source)
			if _, err := os.Stat(m.Source); err != nil {
				return nil, invalidf("invalid mount config for type \"bind\": bind source path does not exist: %s", m.Source)
			}
			if mt.BindOptions != nil {
				m.Propagation = mt.BindOptions.Propagation
				m.TopOnly = mt.BindOptions.ReadOnlyNonRecursive
			}
		case "volume":
			v, err := p.volume(mt.Source, mt.VolumeOptions)
			if err != nil {
				return nil, err
			}
			m.Source, m.Volume, m.Mode = v.Mountpoint, v.Name, "z"
			m.CopyUp = mt.VolumeOptions == nil || !mt.VolumeOptions.NoCopy
		case "image":
			var err error
			if m, err = p.imageMount(c, mt, m); err != nil {
				return nil, err
			}
		case "tmpfs":
			if t := mt.TmpfsOptions; t != nil {
				if t.SizeBytes > 0 {
					m.Options = append(m.Options, "size="+strconv.FormatInt(t.SizeBytes, 10))
				}
				if t.Mode != 0 {
					m.Options = append(m.Options, "mode="+strconv.FormatUint(uint64(t.Mode), 8))
				}
			}
		}
		if err := p.add(m, fromOther); err != nil {
			return nil, err
		}
	}
	targets := make([]string, 0, len(cfg.Volumes))
	for t := range cfg.Volumes {
		targets = append(targets, t)
	}
	slices.Sort(targets)
	for _, t := range targets {
		if !path.IsAbs(t) {
			return nil, invalidf("invalid volume specification: '%s': the container path must be absolute", t)
		}
		t = path.Clean(t)
		if err := containerinit.CheckMountTarget(t); err != nil {
			return nil, invalidf("invalid volume specification: '%s': %v", t, err)
		}
		if p.index(t) >= 0 {
			continue
		}
		v, err := p.volume("", nil)
		if err != nil {
			return nil, err
		}
		p.mounts = append(p.mounts, containerMount{Type: "volume", Source: v.Mountpoint, Target: t, Volume: v.Name, CopyUp: true})
	}
	c.ContainerMounts = p.mounts
	c.Mounts = make([]MountPoint, 0, len(p.mounts))
	for _, m := range p.mounts {
		c.Mounts = append(c.Mounts, m.mountPoint())
	}
	return p.created, nil
}

// containerMounts are c's mounts; a record from before volumes has only
// its -v host binds.
func (c *record) containerMounts() []containerMount {
	if c.ContainerMounts != nil || len(c.HostConfig.Binds) == 0 {
		return c.ContainerMounts
	}
	var out []containerMount
	for _, spec := range c.HostConfig.Binds {
		if b, err := parseBind(spec); err == nil && !b.Volume {
			out = append(out, containerMount{Type: "bind", Source: b.Source, Target: b.Destination,
				Mode: b.Mode, ReadOnly: b.ReadOnly, Propagation: b.Propagation})
		}
	}
	return out
}

// initMounts are c's mounts as its init performs them, and the targets
// of the volumes to fill from the image. A volume whose options name a
// filesystem gets it mounted on the host first; each volume's "mount"
// event is recorded.
func (e *Engine) initMounts(c *record) ([]containerinit.Mount, []string, error) {
	var out []containerinit.Mount
	var copyUp []string
	first := c.State.StartedAt.IsZero()
	for _, m := range c.containerMounts() {
		switch m.Type {
		case "bind", "volume":
			opts := []string{"rbind"}
			prop := m.Propagation
			if prop == "" {
				prop = "rprivate"
			}
			opts = append(opts, prop)
			switch {
			case m.ReadOnly && m.TopOnly:
				opts = append(opts, "ro-nonrecursive")
			case m.ReadOnly:
				opts = append(opts, "ro")
			}
			if m.Type == "volume" {
				v, err := e.volumes.Get(m.Volume)
				if err != nil {
					return nil, nil, fmt.Errorf("volume for %s: %w", m.Target, err)
				}
				if err := e.volumes.Mount(v); err != nil {
					return nil, nil, err
				}
				if m.CopyUp && first {
					copyUp = append(copyUp, m.Target)
				}
				e.volumeEvent("mount", v.Name, map[string]string{"container": c.ID, "destination": m.Target,
					"propagation": "", "read/write": strconv.FormatBool(!m.ReadOnly)})
			}
			out = append(out, containerinit.Mount{Type: "bind", Source: m.Source, Target: m.Target, Options: opts})
		case "tmpfs":
			opts := append([]string{"nosuid", "nodev", "noexec"}, m.Options...)
			if m.ReadOnly {
				opts = append(opts, "ro")
			}
			out = append(out, containerinit.Mount{Type: "tmpfs", Source: "tmpfs", Target: m.Target, Options: opts})
		case "image":
			im, err := e.initImageMount(m)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, im)
		}
	}
	return out, copyUp, nil
}

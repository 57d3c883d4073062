package runopts

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"

	"berth/engine"
)

// volumeFlags are run's and create's --mount and --volumes-from; -v is
// Flags' and parsed here too (parseVolume).
type volumeFlags struct {
	mounts, volumesFrom []string
}

func (v *volumeFlags) register(flags *pflag.FlagSet) {
	flags.StringArrayVar(&v.mounts, "mount", nil, "attach a filesystem mount to the container: type=bind|volume|tmpfs|image,source=…,target=…[,readonly][,image-subpath=…][,…]")
	flags.StringArrayVar(&v.volumesFrom, "volumes-from", nil, "mount volumes from the specified container(s): CONTAINER[:ro|rw]")
}

// apply parses -v (given), --mount and --volumes-from into opts.
func (v *volumeFlags) apply(given []string, abs func(string) (string, error), cc *engine.ContainerConfig, hc *engine.HostConfig) error {
	for _, spec := range given {
		bind, anonymous, err := parseVolume(spec, abs)
		if err != nil {
			return DaemonSide(err) // docker's CLI passes -v on unchecked
		}
		if anonymous != "" {
			if cc.Volumes == nil {
				cc.Volumes = map[string]struct{}{}
			}
			cc.Volumes[anonymous] = struct{}{}
			continue
		}
		hc.Binds = append(hc.Binds, bind)
	}
	for _, spec := range v.mounts {
		m, err := parseMount(spec)
		if err != nil {
			return fmt.Errorf("invalid argument %q for \"--mount\" flag: %w", spec, err)
		}
		hc.Mounts = append(hc.Mounts, m)
	}
	for _, spec := range v.volumesFrom {
		ref, mode, _ := strings.Cut(spec, ":")
		if ref == "" || mode != "" && mode != "ro" && mode != "rw" {
			return fmt.Errorf("invalid --volumes-from %q: want CONTAINER[:ro|rw]", spec)
		}
	}
	hc.VolumesFrom = v.volumesFrom
	return nil
}

// parseVolume is docker's -v: SOURCE:DESTINATION[:MODE] binds a host
// path (absolute, or relative starting with ".", made absolute by abs)
// or mounts the volume named SOURCE; a lone absolute DESTINATION is an
// anonymous volume, returned as anonymous. The engine checks the modes
// and the volume name, and creates a missing host directory.
func parseVolume(spec string, abs func(string) (string, error)) (bind, anonymous string, err error) {
	parts := strings.Split(spec, ":")
	switch {
	case spec == "":
		return "", "", fmt.Errorf("invalid empty volume spec")
	case len(parts) == 1:
		if !path.IsAbs(spec) {
			return "", "", fmt.Errorf("invalid mount config for type \"volume\": invalid mount path: '%s' mount path must be absolute", spec)
		}
		if path.Clean(spec) == "/" {
			return "", "", fmt.Errorf("invalid specification: destination can't be '/' in '%s'", spec)
		}
		return "", path.Clean(spec), nil
	case len(parts) > 3:
		return "", "", fmt.Errorf("invalid volume specification: '%s'", spec)
	}
	src, dst := parts[0], parts[1]
	if src == "" {
		return "", "", fmt.Errorf("invalid volume specification: '%s'", spec)
	}
	if strings.HasPrefix(src, ".") {
		if src, err = abs(src); err != nil {
			return "", "", fmt.Errorf("invalid volume %q: %w", spec, err)
		}
	}
	if !path.IsAbs(dst) {
		return "", "", fmt.Errorf("invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", dst)
	}
	if path.Clean(dst) == "/" {
		return "", "", fmt.Errorf("invalid specification: destination can't be '/' in '%s'", spec)
	}
	if filepath.IsAbs(src) {
		src = filepath.Clean(src)
	}
	bind = src + ":" + path.Clean(dst)
	if len(parts) == 3 {
		if err := validateBindMode(parts[2]); err != nil {
			return "", "", fmt.Errorf("invalid volume %q: %w", spec, err)
		}
		bind += ":" + parts[2]
	}
	return bind, "", nil
}

// parseMount is docker's --mount: comma-separated key=value fields (a
// field with a comma quoted as CSV), type volume when not given.
func parseMount(spec string) (engine.Mount, error) {
	m := engine.Mount{Type: "volume"}
	fields, err := csv.NewReader(strings.NewReader(spec)).Read()
	if err != nil {
		return m, err
	}
	var volumeOpts *engine.VolumeOptions
	volume := func() *engine.VolumeOptions {
		if volumeOpts == nil {
			volumeOpts = &engine.VolumeOptions{}
		}
		return volumeOpts
	}
	var bindOpts *engine.BindOptions
	var tmpfsOpts *engine.TmpfsOptions
	var imageOpts *engine.ImageOptions
	tmpfs := func() *engine.TmpfsOptions {
		if tmpfsOpts == nil {
			tmpfsOpts = &engine.TmpfsOptions{}
		}
		return tmpfsOpts
	}
	for _, field := range fields {
		key, value, hasValue := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !hasValue {
			switch key {
			case "readonly", "ro", "volume-nocopy":
				value = "true"
			default:
				return m, fmt.Errorf("invalid field '%s' must be a key=value pair", field)
			}
		}
		switch key {
		case "type":
			m.Type = value
		case "source", "src":
			m.Source = value
		case "target", "destination", "dst":
			m.Target = value
		case "readonly", "ro":
			if m.ReadOnly, err = strconv.ParseBool(value); err != nil {
				return m, fmt.Errorf("invalid value for %s: %s", key, value)
			}
		case "consistency":
		case "image-subpath":
			imageOpts = &engine.ImageOptions{Subpath: value}
		case "bind-propagation":
			bindOpts = &engine.BindOptions{Propagation: strings.ToLower(value)}
		case "volume-nocopy":
			if volume().NoCopy, err = strconv.ParseBool(value); err != nil {
				return m, fmt.Errorf("invalid value for volume-nocopy: %s", value)
			}
		case "volume-label":
			k, v, _ := strings.Cut(value, "=")
			if volume().Labels == nil {
				volume().Labels = map[string]string{}
			}
			volume().Labels[k] = v
		case "volume-driver":
			if volume().DriverConfig == nil {
				volume().DriverConfig = &engine.VolumeDriver{}
			}
			volume().DriverConfig.Name = value
		case "volume-opt":
			k, v, ok := strings.Cut(value, "=")
			if !ok {
				return m, fmt.Errorf("invalid value for volume-opt: %s", value)
			}
			if volume().DriverConfig == nil {
				volume().DriverConfig = &engine.VolumeDriver{}
			}
			if volume().DriverConfig.Options == nil {
				volume().DriverConfig.Options = map[string]string{}
			}
			volume().DriverConfig.Options[k] = v
		case "tmpfs-size":
			n, err := units.RAMInBytes(value)
			if err != nil || n < 0 {
				return m, fmt.Errorf("invalid value for %s: %s", key, value)
			}
			tmpfs().SizeBytes = n
		case "tmpfs-mode":
			n, err := strconv.ParseUint(value, 8, 32)
			if err != nil {
				return m, fmt.Errorf("invalid value for %s: %s", key, value)
			}
			tmpfs().Mode = fs.FileMode(n)
		default:
			return m, fmt.Errorf("unexpected key '%s' in '%s'", key, field)
		}
	}
	if m.Type == "" {
		return m, fmt.Errorf("type is required")
	}
	if m.Target == "" {
		return m, fmt.Errorf("target is required")
	}
	switch m.Type {
	case "bind", "volume", "tmpfs":
	case "image":
		if m.Source == "" {
			return m, fmt.Errorf("source is required: the image to mount")
		}
	default:
		return m, fmt.Errorf("mount type %q is not supported: bind, volume, tmpfs or image", m.Type)
	}
	if volumeOpts != nil && m.Type != "volume" {
		return m, fmt.Errorf("cannot mix 'volume-*' options with mount type '%s'", m.Type)
	}
	if bindOpts != nil && m.Type != "bind" {
		return m, fmt.Errorf("cannot mix 'bind-*' options with mount type '%s'", m.Type)
	}
	if tmpfsOpts != nil && m.Type != "tmpfs" {
		return m, fmt.Errorf("cannot mix 'tmpfs-*' options with mount type '%s'", m.Type)
	}
	if imageOpts != nil && m.Type != "image" {
		return m, fmt.Errorf("cannot mix 'image-*' options with mount type '%s'", m.Type)
	}
	m.ImageOptions = imageOpts
	m.VolumeOptions, m.BindOptions, m.TmpfsOptions = volumeOpts, bindOpts, tmpfsOpts
	return m, nil
}

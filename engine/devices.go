package engine

import (
	"fmt"
	"path"
	"strings"

	"berth/cgroups"
	"berth/engine/containerinit"
)

// deviceSource reads device nodes from the host (devices_linux.go); tests
// give a fake one.
type deviceSource interface {
	// at returns the node at pathOnHost (a symlink to one is followed),
	// or every node below it when it is a directory, each with its path
	// under pathInContainer; docker's oci.DevicesFromPath, with its
	// error message.
	at(pathOnHost, pathInContainer string) ([]containerinit.Device, error)
	// all returns the host's /dev nodes that --privileged copies, each
	// at its own path.
	all() ([]containerinit.Device, error)
}

// checkDevices rejects --device and --device-cgroup-rule entries that
// docker rejects, before anything is created: a bad permission, a
// relative container path, a host path that holds no device, a rule
// not in docker's syntax.
func checkDevices(r Resources, host deviceSource) error {
	if err := checkDevicesSyntax(r); err != nil {
		return err
	}
	for _, m := range r.Devices {
		if _, err := host.at(m.PathOnHost, m.PathInContainer); err != nil {
			return err
		}
	}
	return nil
}

func checkDeviceMapping(m DeviceMapping) error {
	if m.PathOnHost == "" {
		return invalidf("bad format for path: %s:%s", m.PathOnHost, m.PathInContainer)
	}
	if !path.IsAbs(m.PathInContainer) {
		return invalidf("%s is not an absolute path", m.PathInContainer)
	}
	if _, ok := cgroups.ParseDeviceAccess(m.CgroupPermissions); !ok {
		return invalidf("bad mode specified: %s", m.CgroupPermissions)
	}
	return nil
}

// containerDevices decides a container's device nodes and its cgroup's
// device rules, as docker's daemon does for each start: docker's default
// allowlist, plus each --device node made in the container and allowed
// with its permissions, plus each --device-cgroup-rule. A privileged
// container gets every host node (and its --device entries at other
// paths) and no filter (nil rules).
func containerDevices(hc HostConfig, host deviceSource) ([]containerinit.Device, []cgroups.DeviceRule, error) {
	if err := checkDevicesSyntax(hc.Resources); err != nil {
		return nil, nil, err
	}
	if hc.Privileged {
		nodes, err := host.all()
		if err != nil {
			return nil, nil, err
		}
		for _, m := range hc.Devices {
			if m.PathOnHost == m.PathInContainer {
				continue // already there with the host's /dev
			}
			ds, err := host.at(m.PathOnHost, m.PathInContainer)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, ds...)
		}
		return nodes, nil, nil
	}
	var nodes []containerinit.Device
	rules := cgroups.DefaultDeviceRules()
	for _, m := range hc.Devices {
		access, _ := cgroups.ParseDeviceAccess(m.CgroupPermissions)
		ds, err := host.at(m.PathOnHost, m.PathInContainer)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range ds {
			nodes = append(nodes, d)
			rules = append(rules, cgroups.DeviceRule{Type: cgroups.DeviceType(d.Type),
				Major: int64(d.Major), Minor: int64(d.Minor), Access: access, Allow: true})
		}
	}
	for _, s := range hc.DeviceCgroupRules {
		r, _ := cgroups.ParseDeviceRule(s)
		rules = append(rules, r)
	}
	return nodes, rules, nil
}

// checkDevicesSyntax checks what needs no host.
func checkDevicesSyntax(r Resources) error {
	for _, m := range r.Devices {
		if err := checkDeviceMapping(m); err != nil {
			return err
		}
	}
	for _, s := range r.DeviceCgroupRules {
		if _, err := cgroups.ParseDeviceRule(s); err != nil {
			return invalidf("%v", err)
		}
	}
	return nil
}

// errGatherDevice is docker's message for a --device whose host path
// holds no device node.
func errGatherDevice(pathOnHost string, err error) error {
	return invalidf("error gathering device information while adding custom device %q: %v", pathOnHost, err)
}

// skippedByPrivileged tells the host /dev entries --privileged does not
// copy, as runc's devices.HostDevices skips them: directories with mounts
// of the container's own (pts, shm, mqueue) or of no use (fd, .lxc,
// .lxd-mounts, .udev), and the console, which is the container's
// terminal. ptmx is the container's own devpts's too.
func skippedByPrivileged(name string) bool {
	switch name {
	case "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", "console", "ptmx":
		return true
	}
	return false
}

// ParseDevice parses docker's --device HOST[:CONTAINER][:PERMISSIONS]
// (its CLI's validateLinuxPath and parseLinuxDevice, with their
// messages): the container path defaults to the host's, the permissions
// (r, w and m) to rwm; a second part that is valid permissions is taken
// as them.
func ParseDevice(spec string) (DeviceMapping, error) {
	if strings.Count(spec, ":") > 2 {
		return DeviceMapping{}, fmt.Errorf("bad format for path: %s", spec)
	}
	parts := strings.Split(spec, ":")
	if parts[0] == "" {
		return DeviceMapping{}, fmt.Errorf("bad format for path: %s", spec)
	}
	m := DeviceMapping{PathOnHost: parts[0], CgroupPermissions: "rwm"}
	switch len(parts) {
	case 1:
		m.PathOnHost = path.Clean(m.PathOnHost)
	case 2:
		if _, ok := cgroups.ParseDeviceAccess(parts[1]); ok {
			m.PathOnHost, m.CgroupPermissions = path.Clean(parts[0]), parts[1]
		} else {
			m.PathInContainer = path.Clean(parts[1])
		}
	case 3:
		if _, ok := cgroups.ParseDeviceAccess(parts[2]); !ok {
			return DeviceMapping{}, fmt.Errorf("bad mode specified: %s", parts[2])
		}
		m.PathInContainer, m.CgroupPermissions = parts[1], parts[2]
	}
	if m.PathInContainer == "" {
		m.PathInContainer = m.PathOnHost
	}
	if !path.IsAbs(m.PathInContainer) {
		return DeviceMapping{}, fmt.Errorf("%s is not an absolute path", m.PathInContainer)
	}
	return m, nil
}

// CheckDeviceCgroupRule rejects a --device-cgroup-rule that is not in
// docker's syntax, with docker's message.
func CheckDeviceCgroupRule(rule string) error {
	_, err := cgroups.ParseDeviceRule(rule)
	return err
}

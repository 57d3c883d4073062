package api

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"berth/engine"
	berthnet "berth/engine/network"
	"berth/host"
)

// The engine's container as the Moby API types say it: ContainerSummary
// for GET /containers/json, ContainerInspect for GET /containers/{id}/json,
// and the pieces they share (config, host config, mounts, ports). Other
// endpoint families that show a container reuse these.

// ContainerSummary is c as `docker ps` lists it; size (nil: not asked)
// carries the writable layer and the whole root filesystem's bytes.
func ContainerSummary(c *engine.Container, size *ContainerSize, now time.Time) container.Summary {
	s := container.Summary{
		ID:      c.ID,
		Names:   []string{c.Name},
		Image:   c.Config.Image,
		ImageID: c.Image,
		Command: containerCommand(c),
		Created: c.Created.Unix(),
		Ports:   ContainerPorts(c),
		Labels:  nonNilLabels(c.Config.Labels),
		State:   container.ContainerState(c.State.Status),
		Status:  host.StatusText(&c.State, now),
		Mounts:  ContainerMounts(c.Mounts),
	}
	if s.Image == "" {
		s.Image = c.Image
	}
	if size != nil {
		s.SizeRw, s.SizeRootFs = size.RW, size.RootFS
	}
	s.HostConfig.NetworkMode = c.HostConfig.NetworkMode
	if s.HostConfig.NetworkMode == "" {
		s.HostConfig.NetworkMode = berthnet.NameBridge
	}
	if h := c.State.Health; h != nil {
		s.Health = &container.HealthSummary{Status: container.HealthStatus(h.Status), FailingStreak: h.FailingStreak}
	}
	s.NetworkSettings = &container.NetworkSettingsSummary{Networks: endpoints(c.NetworkSettings)}
	for _, name := range configuredNetworks(c.HostConfig.NetworkMode) {
		if _, ok := s.NetworkSettings.Networks[name]; !ok {
			s.NetworkSettings.Networks[name] = &network.EndpointSettings{} // not running: no address
		}
	}
	return s
}

// configuredNetworks are the networks a container's --network puts it
// on, "host" and "none" included, as docker's ps shows them running or
// not.
func configuredNetworks(mode string) []string {
	switch mode {
	case berthnet.NameHost, berthnet.NameNone:
		return []string{mode}
	}
	return berthnet.NetworksFor(mode)
}

// ContainerSize is the disk use ps -s and inspect --size report: the
// writable layer (RW) and it plus the image (RootFS).
type ContainerSize struct {
	RW, RootFS int64
}

// containerCommand is ps's COMMAND: the path and its arguments, one with
// a space in single quotes, as dockerd lists it (docker ps prints it as
// it comes).
func containerCommand(c *engine.Container) string {
	return host.CommandLine(c.Path, c.Args)
}

// nonNilLabels is labels, or an empty map: clients index it.
func nonNilLabels(labels map[string]string) map[string]string {
	if labels == nil {
		return map[string]string{}
	}
	return labels
}

// ContainerPorts is ps's PORTS of a running container: each published
// binding, and each exposed port with none, sorted by container port.
func ContainerPorts(c *engine.Container) []container.PortSummary {
	out := []container.PortSummary{}
	if c.NetworkSettings == nil {
		return out
	}
	for key, bindings := range c.NetworkSettings.Ports {
		p, err := network.ParsePort(key)
		if err != nil {
			continue // not a port docker could name either
		}
		if len(bindings) == 0 {
			out = append(out, container.PortSummary{PrivatePort: p.Num(), Type: string(p.Proto())})
		}
		for _, b := range bindings {
			public, _ := strconv.ParseUint(b.HostPort, 10, 16)
			ps := container.PortSummary{PrivatePort: p.Num(), PublicPort: uint16(public), Type: string(p.Proto())}
			ps.IP = hostIP(b.HostIP)
			out = append(out, ps)
		}
	}
	slices.SortFunc(out, func(a, b container.PortSummary) int {
		if a.PrivatePort != b.PrivatePort {
			return int(a.PrivatePort) - int(b.PrivatePort)
		}
		return strings.Compare(a.IP.String()+a.Type, b.IP.String()+b.Type)
	})
	return out
}

// hostIP is a binding's host address; "" is every IPv4 address, as
// docker shows it.
func hostIP(s string) netip.Addr {
	if s == "" {
		return netip.IPv4Unspecified()
	}
	ip, _ := netip.ParseAddr(s)
	return ip
}

// ContainerMounts is inspect's (and ps's) Mounts.
func ContainerMounts(mounts []engine.MountPoint) []container.MountPoint {
	out := make([]container.MountPoint, 0, len(mounts))
	for _, m := range mounts {
		out = append(out, container.MountPoint{
			Type: mount.Type(m.Type), Name: m.Name, Source: m.Source, Destination: m.Destination,
			Driver: m.Driver, Mode: m.Mode, RW: m.RW, Propagation: mount.Propagation(m.Propagation),
		})
	}
	return out
}

// endpoints is a container's networks in Moby's shape; nil settings (not
// running, or no bridge) is none.
func endpoints(ns *berthnet.Settings) map[string]*network.EndpointSettings {
	out := map[string]*network.EndpointSettings{}
	if ns == nil {
		return out
	}
	for name, ep := range ns.Networks {
		mac, _ := parseMAC(ep.MacAddress)
		gw, _ := netip.ParseAddr(ep.Gateway)
		ip, _ := netip.ParseAddr(ep.IPAddress)
		out[name] = &network.EndpointSettings{
			Links: ep.Links, Aliases: ep.Aliases, NetworkID: ep.NetworkID, EndpointID: ep.EndpointID,
			Gateway: gw, IPAddress: ip, IPPrefixLen: ep.IPPrefixLen, MacAddress: mac,
		}
	}
	return out
}

func parseMAC(s string) (network.HardwareAddr, error) {
	if s == "" {
		return nil, nil
	}
	var mac network.HardwareAddr
	err := mac.UnmarshalText([]byte(s))
	return mac, err
}

// ContainerInspect is c as `docker inspect` shows it; size (nil: not
// asked) fills SizeRw and SizeRootFs.
func ContainerInspect(c *engine.Container, size *ContainerSize) container.InspectResponse {
	st := c.State
	state := &container.State{
		Status: container.ContainerState(st.Status), Running: st.Running(), Paused: st.Paused(),
		Restarting: st.Restarting(), OOMKilled: st.OOMKilled, Dead: st.Dead(), Pid: st.Pid,
		ExitCode: st.ExitCode, Error: st.Error,
		StartedAt: st.StartedAt.UTC().Format(time.RFC3339Nano), FinishedAt: st.FinishedAt.UTC().Format(time.RFC3339Nano),
	}
	if h := st.Health; h != nil {
		state.Health = &container.Health{Status: container.HealthStatus(h.Status), FailingStreak: h.FailingStreak}
		for _, r := range h.Log {
			state.Health.Log = append(state.Health.Log, &container.HealthcheckResult{Start: r.Start, End: r.End, ExitCode: r.ExitCode, Output: r.Output})
		}
	}
	resp := container.InspectResponse{
		ID: c.ID, Created: c.Created.UTC().Format(time.RFC3339Nano), Path: c.Path, Args: orEmpty(c.Args),
		State: state, Image: c.Image, ResolvConfPath: c.ResolvConfPath, HostnamePath: c.HostnamePath,
		HostsPath: c.HostsPath, LogPath: c.LogPath, Name: c.Name, RestartCount: c.RestartCount,
		Driver: c.Driver, Platform: c.Platform, ExecIDs: nil,
		HostConfig: ContainerHostConfig(&c.HostConfig), Mounts: ContainerMounts(c.Mounts),
		Config: ContainerConfig(&c.Config), NetworkSettings: containerNetworkSettings(c),
	}
	if resp.Platform == "" {
		resp.Platform = "linux"
	}
	if size != nil {
		resp.SizeRw, resp.SizeRootFs = &size.RW, &size.RootFS
	}
	return resp
}

// orEmpty is s, or an empty list where it is nil: clients index it.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// containerNetworkSettings is inspect's NetworkSettings: the published
// ports (each exposed port, nil when unpublished) and the networks.
func containerNetworkSettings(c *engine.Container) *container.NetworkSettings {
	ns := &container.NetworkSettings{Ports: network.PortMap{}, Networks: endpoints(c.NetworkSettings)}
	if c.NetworkSettings != nil {
		ns.Ports = portMap(c.NetworkSettings.Ports)
	}
	return ns
}

// portMap is engine port bindings keyed by "80/tcp" in Moby's types; a
// key that is no port is left out.
func portMap[B engine.PortBinding | berthnet.PortBinding](in map[string][]B) network.PortMap {
	out := network.PortMap{}
	for key, bindings := range in {
		p, err := network.ParsePort(key)
		if err != nil {
			continue
		}
		var bs []network.PortBinding
		for _, b := range bindings {
			eb := engine.PortBinding(b)
			ip, _ := netip.ParseAddr(eb.HostIP)
			bs = append(bs, network.PortBinding{HostIP: ip, HostPort: eb.HostPort})
		}
		out[p] = bs
	}
	return out
}

// ContainerConfig is the portable part of a container's configuration.
func ContainerConfig(c *engine.ContainerConfig) *container.Config {
	cfg := &container.Config{
		Hostname: c.Hostname, Domainname: c.Domainname, User: c.User,
		AttachStdin: c.AttachStdin, AttachStdout: c.AttachStdout, AttachStderr: c.AttachStderr,
		Tty: c.Tty, OpenStdin: c.OpenStdin, StdinOnce: c.StdinOnce, Env: c.Env, Cmd: c.Cmd,
		Image: c.Image, Volumes: c.Volumes, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint,
		Labels: nonNilLabels(c.Labels), StopSignal: c.StopSignal, StopTimeout: c.StopTimeout,
	}
	if len(c.ExposedPorts) > 0 {
		cfg.ExposedPorts = network.PortSet{}
		for key := range c.ExposedPorts {
			if p, err := network.ParsePort(key); err == nil {
				cfg.ExposedPorts[p] = struct{}{}
			}
		}
	}
	if h := c.Healthcheck; h != nil {
		cfg.Healthcheck = &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
	}
	return cfg
}

// ContainerHostConfig is the host-specific part of a container's
// configuration.
func ContainerHostConfig(h *engine.HostConfig) *container.HostConfig {
	hc := &container.HostConfig{
		Binds: h.Binds, ContainerIDFile: h.ContainerIDFile,
		LogConfig:    container.LogConfig{Type: h.LogConfig.Type, Config: h.LogConfig.Config},
		NetworkMode:  container.NetworkMode(h.NetworkMode),
		PortBindings: portMap(h.PortBindings),
		RestartPolicy: container.RestartPolicy{
			Name: container.RestartPolicyMode(h.RestartPolicy.Name), MaximumRetryCount: h.RestartPolicy.MaximumRetryCount,
		},
		AutoRemove: h.AutoRemove, VolumesFrom: h.VolumesFrom,
		CapAdd: h.CapAdd, CapDrop: h.CapDrop, CgroupnsMode: container.CgroupnsModeHost,
		DNSOptions: orEmpty(h.DNSOptions), DNSSearch: orEmpty(h.DNSSearch), ExtraHosts: h.ExtraHosts,
		GroupAdd: h.GroupAdd, IpcMode: container.IpcMode(h.IpcMode), Links: h.Links, OomScoreAdj: h.OomScoreAdj,
		PidMode: container.PidMode(h.PidMode), Privileged: h.Privileged, PublishAllPorts: h.PublishAllPorts,
		ReadonlyRootfs: h.ReadonlyRootfs, SecurityOpt: h.SecurityOpt, Tmpfs: h.Tmpfs,
		UTSMode: container.UTSMode(h.UTSMode), ShmSize: h.ShmSize, Sysctls: h.Sysctls,
		Isolation: container.IsolationDefault, Init: h.Init,
		Resources: containerResources(&h.Resources, h.CgroupParent),
		Mounts:    hostConfigMounts(h.Mounts), MaskedPaths: h.MaskedPaths, ReadonlyPaths: h.ReadonlyPaths,
	}
	if hc.NetworkMode == "" {
		hc.NetworkMode = network.NetworkDefault
	}
	hc.DNS = []netip.Addr{}
	for _, s := range h.DNS {
		if ip, err := netip.ParseAddr(s); err == nil {
			hc.DNS = append(hc.DNS, ip)
		}
	}
	return hc
}

func containerResources(r *engine.Resources, cgroupParent string) container.Resources {
	out := container.Resources{
		CPUShares: r.CPUShares, Memory: r.Memory, NanoCPUs: r.NanoCPUs, CgroupParent: cgroupParent,
		BlkioWeight: r.BlkioWeight, CPUPeriod: r.CPUPeriod, CPUQuota: r.CPUQuota, CpusetCpus: r.CpusetCpus,
		DeviceCgroupRules: r.DeviceCgroupRules, MemoryReservation: r.MemoryReservation, MemorySwap: r.MemorySwap,
		OomKillDisable: r.OomKillDisable, PidsLimit: r.PidsLimit, Ulimits: r.Ulimits,
		BlkioDeviceReadBps: throttles(r.BlkioDeviceReadBps), BlkioDeviceWriteBps: throttles(r.BlkioDeviceWriteBps),
		BlkioDeviceReadIOps: throttles(r.BlkioDeviceReadIOps), BlkioDeviceWriteIOps: throttles(r.BlkioDeviceWriteIOps),
		Devices: []container.DeviceMapping{},
	}
	for _, d := range r.Devices {
		out.Devices = append(out.Devices, container.DeviceMapping{PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions})
	}
	return out
}

func throttles(in []engine.ThrottleDevice) []*blkiodev.ThrottleDevice {
	out := make([]*blkiodev.ThrottleDevice, 0, len(in))
	for _, t := range in {
		out = append(out, &blkiodev.ThrottleDevice{Path: t.Path, Rate: t.Rate})
	}
	return out
}

func hostConfigMounts(in []engine.Mount) []mount.Mount {
	var out []mount.Mount
	for _, m := range in {
		mm := mount.Mount{Type: mount.Type(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
		if b := m.BindOptions; b != nil {
			mm.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(b.Propagation), ReadOnlyNonRecursive: b.ReadOnlyNonRecursive}
		}
		if v := m.VolumeOptions; v != nil {
			mm.VolumeOptions = &mount.VolumeOptions{NoCopy: v.NoCopy, Labels: v.Labels}
			if d := v.DriverConfig; d != nil {
				mm.VolumeOptions.DriverConfig = &mount.Driver{Name: d.Name, Options: d.Options}
			}
		}
		if t := m.TmpfsOptions; t != nil {
			mm.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: t.SizeBytes, Mode: t.Mode}
		}
		out = append(out, mm)
	}
	return out
}

package engine

import (
	"fmt"
	"net/netip"

	"berth/engine/network"
)

// networkSpec is what the network package needs to know of a container.
func networkSpec(c *record) network.SessionSpec {
	hc := c.HostConfig
	spec := network.SessionSpec{
		ContainerID: c.ID, Name: c.DisplayName(), Hostname: c.Config.Hostname,
		Networks: joinedNetworks(c), HostsPath: c.HostsPath,
		ExposedPorts: c.Config.ExposedPorts, PublishAll: hc.PublishAllPorts,
		Aliases: c.NetworkAliases, Connected: c.Connected,
	}
	if ip, err := netip.ParseAddr(c.IP); err == nil && len(spec.Networks) > 0 {
		spec.IP = ip
	}
	if len(spec.Networks) == 0 {
		spec.Aliases = nil // its network was left (network disconnect): they go with it
	}
	spec.Domainname = c.Config.Domainname
	spec.ExtraHosts = hostEntries(hc)
	spec.MAC, _ = ParseMAC(c.Config.MacAddress) // checked at create; "" is nil
	if hc.NetworkMode == "host" {
		spec.PublishAll = false
		return spec // published ports are discarded on the host's network, as docker
	}
	spec.PortBindings = map[string][]network.PortBinding{}
	for port, bs := range hc.PortBindings {
		for _, b := range bs {
			spec.PortBindings[port] = append(spec.PortBindings[port], network.PortBinding(b))
		}
	}
	return spec
}

// checkNetwork refuses, at create, a network or ports the container could
// not start with.
func (e *Engine) checkNetwork(c *record) error {
	if c.IP != "" {
		if ip, err := netip.ParseAddr(c.IP); err != nil || !ip.Is4() {
			return invalidf("invalid IPv4 address for --ip: %q", c.IP)
		}
	}
	if err := e.networks.Validate(networkSpec(c)); err != nil {
		return invalidf("%v", err)
	}
	return nil
}

// Networks is berth's store of networks, for `berth network …`.
func (e *Engine) Networks() *network.Manager { return e.networks }

// releaseNetwork detaches a container that is gone or whose shim died.
func (e *Engine) releaseNetwork(c *record) error {
	if err := e.networks.Release(c.ID); err != nil {
		return fmt.Errorf("release network of %s: %w", c.DisplayName(), err)
	}
	return nil
}

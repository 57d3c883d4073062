package engine

import (
	"maps"
	"slices"

	"berth/engine/network"
)

// Links on a user-defined network, and the networks inspect shows.
//
// Docker keeps a --link of a container whose --network is a user-defined
// network in that network's endpoint (NetworkSettings.Networks.NET.Links,
// as given: "NAME:ALIAS"), and HostConfig.Links stays null: such a link
// only makes ALIAS resolve to the linked container inside the linker,
// without the legacy link's variables. berth resolves names through the
// hosts file, so the link becomes a hosts line, as on the default bridge.

// moveUserNetworkLinks takes the links off hc when its network is
// user-defined, returning them as given (raw, checked by checkNamespaces
// already); otherwise it returns nil and hc keeps its HostConfig.Links.
func (e *Engine) moveUserNetworkLinks(hc *HostConfig, raw []string) []string {
	if len(raw) == 0 || !e.userDefinedNetwork(hc.NetworkMode) {
		return nil
	}
	hc.Links = nil
	return slices.Clone(raw)
}

// userDefinedNetwork reports whether --network names a user-defined
// bridge network.
func (e *Engine) userDefinedNetwork(mode string) bool {
	names := network.NetworksFor(mode)
	if len(names) != 1 || names[0] == network.NameBridge {
		return false
	}
	n, err := e.networks.Inspect(names[0])
	return err == nil && n.UserDefined()
}

// storedLink is one link of a container's record.
type storedLink struct {
	child, alias string
	legacy       bool
}

// storedLinks are the container's links: HostConfig.Links' (legacy) and
// those of its user-defined network.
func storedLinks(c *record) ([]storedLink, error) {
	var out []storedLink
	for _, l := range c.HostConfig.Links {
		child, alias, err := splitStoredLink(l)
		if err != nil {
			return nil, err
		}
		out = append(out, storedLink{child: child, alias: alias, legacy: true})
	}
	for _, l := range c.NetworkLinks {
		child, alias, err := ParseLink(l)
		if err != nil {
			return nil, err
		}
		out = append(out, storedLink{child: child, alias: alias})
	}
	return out, nil
}

// inspectNetworks is NetworkSettings as docker's inspect shows it: every
// network the container is on has its key, whether it runs or not (a
// created or stopped container's entry is empty but for its aliases and
// links), "none" and "host" included; a running container's entries are
// its endpoints'. c's own settings are not changed.
func (e *Engine) inspectNetworks(c *record) *network.Settings {
	out := network.Settings{Ports: map[string][]network.PortBinding{}}
	if c.NetworkSettings != nil {
		out = *c.NetworkSettings
	}
	out.Networks = map[string]network.EndpointSettings{}
	if c.NetworkSettings != nil {
		maps.Copy(out.Networks, c.NetworkSettings.Networks)
	}
	own := joinedNetworks(c)
	switch mode := c.HostConfig.NetworkMode; mode {
	case network.NameNone, network.NameHost:
		if _, ok := out.Networks[mode]; !ok {
			ep := network.EndpointSettings{}
			if n, err := e.networks.Inspect(mode); err == nil {
				ep.NetworkID = n.ID
			}
			out.Networks[mode] = ep
		}
	}
	for i, name := range own {
		ep, ok := out.Networks[name]
		if !ok && e.userDefinedNetwork(name) {
			ep.Aliases = c.NetworkAliases
		}
		if i == 0 && len(c.NetworkLinks) > 0 {
			ep.Links = c.NetworkLinks
		}
		out.Networks[name] = ep
	}
	for _, conn := range c.Connected {
		if _, ok := out.Networks[conn.Network]; !ok {
			out.Networks[conn.Network] = network.EndpointSettings{Aliases: conn.Aliases}
		}
	}
	out.FillDefault()
	return &out
}

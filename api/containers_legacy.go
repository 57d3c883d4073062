package api

import (
	"github.com/moby/moby/api/types/container"

	"berth/engine"
)

// What `GET /containers/{id}/json` still said to older clients and the
// 1.57 types dropped: the default bridge's address, gateway and MAC at
// the top of NetworkSettings (gone in API 1.52; docker 20.10 and
// docker-py 5 speak 1.41) and Config.MacAddress (gone in 1.44).
const (
	legacyNetworkVersion = "1.52"
	legacyMacVersion     = "1.44"
)

// legacyInspectResponse is the inspect answer with those fields back.
type legacyInspectResponse struct {
	container.InspectResponse
	Config          *legacyConfig
	NetworkSettings *legacyNetworkSettings
}

type legacyConfig struct {
	*container.Config
	MacAddress string `json:",omitempty"`
}

// legacyNetworkSettings are NetworkSettings as dockerd wrote them up
// to API 1.51.
type legacyNetworkSettings struct {
	container.NetworkSettings
	Bridge                 string
	HairpinMode            bool
	LinkLocalIPv6Address   string
	LinkLocalIPv6PrefixLen int
	SecondaryIPAddresses   []string
	SecondaryIPv6Addresses []string
	EndpointID             string
	Gateway                string
	GlobalIPv6Address      string
	GlobalIPv6PrefixLen    int
	IPAddress              string
	IPPrefixLen            int
	IPv6Gateway            string
	MacAddress             string
}

// legacyInspect adds the dropped fields to resp for a client of an API
// older than legacyNetworkVersion; withMac (older than legacyMacVersion)
// adds Config.MacAddress too.
func legacyInspect(resp container.InspectResponse, c *engine.Container, withMac bool) legacyInspectResponse {
	out := legacyInspectResponse{InspectResponse: resp, Config: &legacyConfig{Config: resp.Config}}
	if withMac {
		out.Config.MacAddress = c.Config.MacAddress
	}
	if resp.NetworkSettings != nil {
		out.NetworkSettings = &legacyNetworkSettings{NetworkSettings: *resp.NetworkSettings}
		if ns := c.NetworkSettings; ns != nil {
			def := ns.Networks["bridge"]
			out.NetworkSettings.IPAddress, out.NetworkSettings.IPPrefixLen = ns.IPAddress, ns.IPPrefixLen
			out.NetworkSettings.Gateway, out.NetworkSettings.MacAddress = ns.Gateway, ns.MacAddress
			out.NetworkSettings.EndpointID = def.EndpointID
		}
	}
	return out
}

package host

import (
	"slices"
	"strings"

	"berth/engine"
)

// PortsText is docker ps's PORTS column, from the ports a running
// container published: "0.0.0.0:8080->80/tcp", "[::1]:8081->80/tcp", and
// "80/tcp" for one exposed without a host port; sorted. A container that
// is not running publishes nothing.
func PortsText(c *engine.Container) string {
	if c.NetworkSettings == nil {
		return ""
	}
	var out []string
	for port, bs := range c.NetworkSettings.Ports {
		if len(bs) == 0 {
			out = append(out, port)
		}
		for _, b := range bs {
			out = append(out, HostAddress(b.HostIP, b.HostPort)+"->"+port)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// HostAddress is "0.0.0.0:8080" for every address, "[::1]:8080" for IPv6.
func HostAddress(ip, port string) string {
	switch {
	case ip == "":
		ip = "0.0.0.0"
	case strings.Contains(ip, ":"):
		ip = "[" + ip + "]"
	}
	return ip + ":" + port
}

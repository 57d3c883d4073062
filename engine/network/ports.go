package network

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// PortBinding is the host side of one published port, in the shape of the
// engine's HostConfig.PortBindings values (and docker's), so that an
// engine.PortBinding converts with network.PortBinding(b).
type PortBinding struct {
	HostIP   string `json:"HostIp"`   // "" is every address
	HostPort string `json:"HostPort"` // "" is a random free port; "8000-8010" the first free one
}

// PortMapping is one published port, parsed and checked.
type PortMapping struct {
	Proto         string     // "tcp" or "udp"
	HostIP        netip.Addr // the zero Addr is every address
	HostPortLo    int        // 0: a random free port chosen by the kernel
	HostPortHi    int        // == HostPortLo for one port; above it, the first free port of the range
	ContainerPort int
}

// PortMappings turns docker's port bindings (keys "80/tcp", as the CLI
// parses -p into HostConfig.PortBindings) into mappings, sorted by
// container port and protocol. With publishAll (-P), every exposed port
// without a binding gets one on a random free host port.
func PortMappings(bindings map[string][]PortBinding, exposed map[string]struct{}, publishAll bool) ([]PortMapping, error) {
	all := map[string][]PortBinding{}
	for k, v := range bindings {
		all[k] = v
	}
	if publishAll {
		for k := range exposed {
			if len(all[k]) == 0 {
				all[k] = []PortBinding{{}}
			}
		}
	}
	var out []PortMapping
	for key, bs := range all {
		port, proto, err := parsePortKey(key)
		if err != nil {
			return nil, err
		}
		if len(bs) == 0 {
			bs = []PortBinding{{}}
		}
		for _, b := range bs {
			m := PortMapping{Proto: proto, ContainerPort: port}
			if m.HostIP, err = parseHostIP(b.HostIP); err != nil {
				return nil, err
			}
			if b.HostPort != "" {
				if m.HostPortLo, m.HostPortHi, err = parsePortRange(b.HostPort); err != nil {
					return nil, err
				}
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b PortMapping) int {
		return cmp.Or(cmp.Compare(a.ContainerPort, b.ContainerPort), cmp.Compare(a.Proto, b.Proto),
			a.HostIP.Compare(b.HostIP), cmp.Compare(a.HostPortLo, b.HostPortLo))
	})
	return out, nil
}

// parsePortKey parses "80/tcp", "53/udp" or "80" (tcp).
func parsePortKey(key string) (port int, proto string, err error) {
	p, proto, ok := strings.Cut(key, "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" {
		return 0, "", fmt.Errorf("%w: %s: protocol %q is not supported (tcp or udp)", ErrInvalidPort, key, proto)
	}
	if port, err = parsePort(p); err != nil {
		return 0, "", fmt.Errorf("%w: %s: %w", ErrInvalidPort, key, err)
	}
	return port, proto, nil
}

// parseHostIP parses a binding's address; "", "0.0.0.0" and "::" mean
// every address.
func parseHostIP(s string) (netip.Addr, error) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if s == "" {
		return netip.Addr{}, nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: invalid host IP %q", ErrInvalidPort, s)
	}
	if ip.IsUnspecified() {
		return netip.Addr{}, nil
	}
	return ip.Unmap(), nil
}

// parsePortRange parses "8080" or "8000-8010".
func parsePortRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePort(a); err != nil {
		return 0, 0, fmt.Errorf("%w: host port %q: %w", ErrInvalidPort, s, err)
	}
	hi = lo
	if isRange {
		if hi, err = parsePort(b); err != nil || hi < lo {
			return 0, 0, fmt.Errorf("%w: host port range %q", ErrInvalidPort, s)
		}
	}
	return lo, hi, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	return n, nil
}

// PublishedPort is a port the proxy listens on, with the host port the
// kernel or the range gave it.
type PublishedPort struct {
	Proto         string
	HostIP        netip.Addr // zero: every address
	HostPort      int
	ContainerPort int
}

// Key is the port's key in docker's port maps: "80/tcp".
func (p PublishedPort) Key() string { return strconv.Itoa(p.ContainerPort) + "/" + p.Proto }

// Binding is the host side as docker's NetworkSettings.Ports shows it.
func (p PublishedPort) Binding() PortBinding {
	return PortBinding{HostIP: hostIPString(p.HostIP), HostPort: strconv.Itoa(p.HostPort)}
}

// String is as `docker port` prints it: "80/tcp -> 0.0.0.0:8080".
func (p PublishedPort) String() string {
	return p.Key() + " -> " + netip.AddrPortFrom(hostIPAddr(p.HostIP), uint16(p.HostPort)).String()
}

func hostIPAddr(ip netip.Addr) netip.Addr {
	if !ip.IsValid() {
		return netip.IPv4Unspecified()
	}
	return ip
}

func hostIPString(ip netip.Addr) string { return hostIPAddr(ip).String() }

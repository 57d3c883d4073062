package runopts

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"berth/engine"
)

// ParsePublish is docker's -p syntax, [[IP:][HOST_PORT]:]CONTAINER_PORT[/PROTO],
// where ports may be ranges (8000-8001:80-81) and IP may be a bracketed
// IPv6 address. Each port is added to bindings (keyed "80/tcp") and exposed.
func ParsePublish(spec string, bindings map[string][]engine.PortBinding, exposed map[string]struct{}) error {
	rawIP, hostPort, containerPort := splitPublish(spec)
	proto := "tcp"
	if p, pr, ok := strings.Cut(containerPort, "/"); ok {
		containerPort, proto = p, strings.ToLower(pr)
	}
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return fmt.Errorf("invalid proto: %s", proto)
	}
	ip := strings.TrimSuffix(strings.TrimPrefix(rawIP, "["), "]")
	if ip != "" && net.ParseIP(ip) == nil {
		return fmt.Errorf("invalid IP address: %s", rawIP)
	}
	if containerPort == "" {
		return fmt.Errorf("no port specified: %s<empty>", spec)
	}
	cLo, cHi, err := parsePortRange(containerPort)
	if err != nil {
		return fmt.Errorf("invalid containerPort: %s", containerPort)
	}
	var hLo, hHi int
	if hostPort != "" {
		if hLo, hHi, err = parsePortRange(hostPort); err != nil {
			return fmt.Errorf("invalid hostPort: %s", hostPort)
		}
	}
	n := cHi - cLo
	if hostPort != "" && n > 0 && hHi-hLo != n {
		return fmt.Errorf("invalid ranges specified for container and host Ports: %s and %s", containerPort, hostPort)
	}
	for i := 0; i <= n; i++ {
		key := strconv.Itoa(cLo+i) + "/" + proto
		hp := ""
		switch {
		case hostPort == "":
		case n == 0:
			hp = hostPort // a single container port may take any of a host range
		default:
			hp = strconv.Itoa(hLo + i)
		}
		b := engine.PortBinding{HostIP: ip, HostPort: hp}
		if !slices.Contains(bindings[key], b) {
			bindings[key] = append(bindings[key], b)
		}
		exposed[key] = struct{}{}
	}
	return nil
}

// ParseExpose is --expose PORT[-PORT][/PROTO], added to exposed.
func ParseExpose(spec string, exposed map[string]struct{}) error {
	ports, proto, _ := strings.Cut(spec, "/")
	if proto == "" {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return fmt.Errorf("invalid proto: %s", proto)
	}
	lo, hi, err := parsePortRange(ports)
	if err != nil {
		return fmt.Errorf("invalid range format for --expose: %s", spec)
	}
	for p := lo; p <= hi; p++ {
		exposed[strconv.Itoa(p)+"/"+proto] = struct{}{}
	}
	return nil
}

// splitPublish splits a -p value into IP, host port and container port.
func splitPublish(spec string) (ip, host, container string) {
	parts := strings.Split(spec, ":")
	n := len(parts)
	switch n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	case 3:
		return parts[0], parts[1], parts[2]
	}
	return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
}

// parsePortRange parses "80" or "8000-8010" (ports 1-65535).
func parsePortRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePort(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = parsePort(b); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("invalid range %s", s)
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

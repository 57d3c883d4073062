package compose

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"berth/host"
)

// Port is the host address ("0.0.0.0:8080") that private port of
// protocol ("tcp", "udp") of service's running container number index
// (0: the first) is published on.
func Port(ctx context.Context, h host.Host, project, service string, port int, protocol string, index int) (string, error) {
	c, err := ServiceContainer(ctx, h, project, service, index)
	if err != nil {
		return "", err
	}
	want := strconv.Itoa(port) + "/" + protocol
	var ports map[string][]string
	if c.NetworkSettings != nil {
		ports = map[string][]string{}
		for p, bindings := range c.NetworkSettings.Ports {
			ports[p] = nil
			for _, b := range bindings {
				ports[p] = append(ports[p], host.HostAddress(b.HostIP, b.HostPort))
			}
		}
	}
	if addrs := ports[want]; len(addrs) > 0 {
		// An IPv4 address first, as docker lists it first.
		slices.SortStableFunc(addrs, func(a, b string) int {
			return boolOrder(strings.HasPrefix(a, "[")) - boolOrder(strings.HasPrefix(b, "["))
		})
		return addrs[0], nil
	}
	return "", fmt.Errorf("no port %s for container %s: %s", want, strings.TrimPrefix(c.Name, "/"), strings.Join(slices.Sorted(maps.Keys(ports)), ", "))
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

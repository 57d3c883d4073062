package network

import (
	"fmt"
	"os"
)

// ContainerCounters reads the traffic of the network namespace that pid
// (a container's init, seen from the host) lives in.
func ContainerCounters(pid int) (Counters, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return Counters{}, fmt.Errorf("network counters of pid %d: %w", pid, err)
	}
	defer func() { _ = f.Close() }()
	c, err := parseNetDev(f)
	if err != nil {
		return Counters{}, fmt.Errorf("network counters of pid %d: %w", pid, err)
	}
	return c, nil
}

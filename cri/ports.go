package cri

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"berth/engine/network"
)

// A pod's hostPort mappings are served by the engine's userland proxy
// (network.Proxy), run by this server: it listens on the host and
// forwards to the pod's address. A restarted server starts them again
// for its ready pods (restorePorts); while no server runs, hostPorts do
// not answer.

// portProxy is what the server keeps of a pod's proxy.
type portProxy interface{ Close() error }

// portMappings turns the CRI's port mappings into the engine's (docker's
// "80/tcp" keys), checked by the same rules as `berth run -p`. A
// mapping without a host port publishes nothing, as kubelet means it.
func portMappings(pms []*runtimeapi.PortMapping) ([]network.PortMapping, error) {
	bindings := map[string][]network.PortBinding{}
	for _, pm := range pms {
		if pm.GetHostPort() == 0 {
			continue
		}
		proto := strings.ToLower(pm.GetProtocol().String())
		if proto == "sctp" {
			return nil, fmt.Errorf("host port %d for %d/sctp: berth publishes tcp and udp ports only, sctp is not supported", pm.GetHostPort(), pm.GetContainerPort())
		}
		key := strconv.Itoa(int(pm.GetContainerPort())) + "/" + proto
		bindings[key] = append(bindings[key], network.PortBinding{HostIP: pm.GetHostIp(), HostPort: strconv.Itoa(int(pm.GetHostPort()))})
	}
	if len(bindings) == 0 {
		return nil, nil
	}
	return network.PortMappings(bindings, nil, false)
}

// startPorts publishes sb's host ports to its address; a pod without
// any, or on the host's network, gets no proxy.
func (s *Server) startPorts(sb *sandbox) error {
	if sb.IP == "" {
		return nil
	}
	maps, err := portMappings(sb.Config.GetPortMappings())
	if err != nil || len(maps) == 0 {
		return err
	}
	ip, err := netip.ParseAddr(sb.IP)
	if err != nil {
		return fmt.Errorf("publish ports of pod %s: %w", sb.ID, err)
	}
	p := network.NewProxy(ip, maps)
	if err := p.Start(); err != nil {
		return fmt.Errorf("publish ports of pod %s: %w", sb.ID, err)
	}
	s.proxies[sb.ID] = p
	return nil
}

// stopPorts closes sb's proxy, if it has one.
func (s *Server) stopPorts(id string) error {
	p, ok := s.proxies[id]
	if !ok {
		return nil
	}
	delete(s.proxies, id)
	if err := p.Close(); err != nil {
		return fmt.Errorf("close the ports of pod %s: %w", id, err)
	}
	return nil
}

// restorePorts starts the proxies of the ready pods a previous server
// left; what fails is logged, the pod stays.
func (s *Server) restorePorts() {
	pods, errs := s.pods.list()
	for _, err := range errs {
		s.log.Warn("read pod sandbox", "err", err)
	}
	for _, sb := range pods {
		if sb.Ready {
			if err := s.startPorts(sb); err != nil {
				s.log.Warn("restore pod ports", "pod", sb.ID, "err", err)
			}
		}
	}
}

// closePorts closes every proxy, when the server stops.
func (s *Server) closePorts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.proxies {
		if err := s.stopPorts(id); err != nil {
			s.log.Warn("stop pod ports", "err", err)
		}
	}
}

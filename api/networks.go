package api

import (
	"errors"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	mobynet "github.com/moby/moby/api/types/network"

	"berth/engine"
	"berth/engine/network"
	"berth/host"
	filterArgs "berth/internal/filters"
)

// networkRoutes are the network endpoints.
func (s *Server) networkRoutes() []route {
	return []route{
		{"GET /networks", s.listNetworks},
		{"GET /networks/{id}", s.inspectNetwork},
		{"POST /networks/create", s.createNetwork},
		{"DELETE /networks/{id}", s.removeNetwork},
		{"POST /networks/{id}/connect", s.connectNetwork},
		{"POST /networks/{id}/disconnect", s.disconnectNetwork},
		{"POST /networks/prune", s.pruneNetworks},
	}
}

// networkError gives the network store's errors the status dockerd
// answers them with.
func networkError(err error) error {
	switch {
	case errors.Is(err, network.ErrNotFound):
		return kindError{err, errNotFound}
	case errors.Is(err, network.ErrExists), errors.Is(err, network.ErrInUse), errors.Is(err, network.ErrPredefined),
		errors.Is(err, network.ErrAttached), errors.Is(err, network.ErrAddressInUse), errors.Is(err, network.ErrNoAddress):
		return kindError{err, errConflict}
	case errors.Is(err, network.ErrInvalidConfig), errors.Is(err, network.ErrOverlap), errors.Is(err, network.ErrAmbiguous):
		return kindError{err, errInvalidArgument}
	}
	return err
}

// listNetworks is GET /networks?filters=: name and id (regular
// expressions), driver, scope, label, type (custom, builtin), dangling.
func (s *Server) listNetworks(w http.ResponseWriter, r *http.Request) error {
	conds, err := queryFilters(r)
	if err != nil {
		return err
	}
	match, err := host.NetworkFilter(conds)
	if err != nil {
		return kindError{err, errInvalidArgument}
	}
	list, err := s.host.Networks().List()
	if err != nil {
		return err
	}
	slices.SortFunc(list, func(x, y *network.Network) int { return strings.Compare(x.Name, y.Name) })
	out := make([]mobynet.Inspect, 0, len(list))
	for _, n := range list {
		if match(n) {
			out = append(out, networkInspect(n))
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// networkInspect is a network in the Moby shape.
func networkInspect(n *network.Network) mobynet.Inspect {
	out := mobynet.Inspect{
		Network: mobynet.Network{
			Name: n.Name, ID: n.ID, Created: n.Created, Scope: n.Scope, Driver: n.Driver,
			EnableIPv4: n.Driver == "bridge", EnableIPv6: n.EnableIPv6,
			IPAM:     mobynet.IPAM{Driver: n.IPAM.Driver, Options: map[string]string{}, Config: []mobynet.IPAMConfig{}},
			Internal: n.Internal, Attachable: n.Attachable,
			Options: networkOptions(n), Labels: nonNilMap(n.Labels),
		},
		Containers: map[string]mobynet.EndpointResource{},
	}
	for _, c := range n.IPAM.Config {
		var cfg mobynet.IPAMConfig
		cfg.Subnet, _ = netip.ParsePrefix(c.Subnet) // zero when the store has none
		cfg.Gateway, _ = netip.ParseAddr(c.Gateway)
		out.IPAM.Config = append(out.IPAM.Config, cfg)
	}
	for id, ep := range n.Containers {
		res := mobynet.EndpointResource{Name: ep.Name, EndpointID: ep.EndpointID}
		if mac, err := net.ParseMAC(ep.MacAddress); err == nil {
			res.MacAddress = mobynet.HardwareAddr(mac)
		}
		res.IPv4Address, _ = netip.ParsePrefix(ep.IPv4Address)
		res.IPv6Address, _ = netip.ParsePrefix(ep.IPv6Address)
		out.Containers[id] = res
	}
	return out
}

// networkOptions are a network's driver options as dockerd shows them:
// those the user gave. The bridge name berth derived from the ID is not
// one (docker-compose 1.29 takes an option it did not ask for as a changed
// network and refuses to go on).
func networkOptions(n *network.Network) map[string]string {
	opts := maps.Clone(nonNilMap(n.Options))
	if !n.Predefined() && len(n.ID) >= 12 && opts[network.BridgeNameOption] == "br-"+n.ID[:12] {
		delete(opts, network.BridgeNameOption)
	}
	return opts
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// inspectNetwork is GET /networks/{id}.
func (s *Server) inspectNetwork(w http.ResponseWriter, r *http.Request) error {
	n, err := s.host.Networks().Inspect(r.PathValue("id"))
	if err != nil {
		return networkError(err)
	}
	return writeJSON(w, http.StatusOK, networkInspect(n))
}

// createNetwork is POST /networks/create: a bridge network, with one IPv4
// subnet and gateway at most, and the bridge's name as its option.
func (s *Server) createNetwork(w http.ResponseWriter, r *http.Request) error {
	var req mobynet.CreateRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return invalidf("network name is required")
	}
	if req.Driver != "" && req.Driver != "bridge" {
		return invalidf("network driver %q is not supported: berth has bridge networks", req.Driver)
	}
	if req.EnableIPv6 != nil && *req.EnableIPv6 {
		return invalidf("IPv6 networks are not supported")
	}
	if req.Scope != "" && req.Scope != "local" || req.Ingress || req.ConfigOnly || req.ConfigFrom != nil {
		return invalidf("berth networks are local bridge networks: scope, ingress and config networks are not supported")
	}
	opts := network.CreateOptions{Name: req.Name, Internal: req.Internal, Labels: req.Labels}
	for k, v := range req.Options {
		if k != network.BridgeNameOption {
			return invalidf("network option %q is not supported: berth takes %s", k, network.BridgeNameOption)
		}
		opts.Bridge = v
	}
	if req.IPAM != nil {
		if req.IPAM.Driver != "" && req.IPAM.Driver != "default" {
			return invalidf("IPAM driver %q is not supported", req.IPAM.Driver)
		}
		if len(req.IPAM.Config) > 1 {
			return invalidf("berth networks have one subnet: %d given", len(req.IPAM.Config))
		}
		for _, c := range req.IPAM.Config {
			if c.Subnet.IsValid() {
				opts.Subnet = c.Subnet.String()
			}
			if c.Gateway.IsValid() {
				opts.Gateway = c.Gateway.String()
			}
		}
	}
	n, err := s.host.Networks().Create(opts)
	if err != nil {
		return networkError(err)
	}
	return writeJSON(w, http.StatusCreated, mobynet.CreateResponse{ID: n.ID})
}

// removeNetwork is DELETE /networks/{id}.
func (s *Server) removeNetwork(w http.ResponseWriter, r *http.Request) error {
	if err := s.host.Networks().Remove(r.PathValue("id")); err != nil {
		return networkError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// connectNetwork is POST /networks/{id}/connect: the container, with its
// aliases and IPv4 address on the network.
func (s *Server) connectNetwork(w http.ResponseWriter, r *http.Request) error {
	var req mobynet.ConnectRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return invalidf("container is required")
	}
	var opts engine.ConnectOptions
	if ep := req.EndpointConfig; ep != nil {
		opts.Aliases = ep.Aliases
		if ep.IPAMConfig != nil && ep.IPAMConfig.IPv4Address.IsValid() {
			opts.IP = ep.IPAMConfig.IPv4Address.String()
		}
	}
	if err := s.host.ConnectNetwork(r.PathValue("id"), req.Container, opts); err != nil {
		return networkError(err)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// disconnectNetwork is POST /networks/{id}/disconnect.
func (s *Server) disconnectNetwork(w http.ResponseWriter, r *http.Request) error {
	var req mobynet.DisconnectRequest
	if err := readObjectJSON(w, r, &req); err != nil {
		return err
	}
	if req.Container == "" {
		return invalidf("container is required")
	}
	if err := s.host.DisconnectNetwork(r.PathValue("id"), req.Container, req.Force); err != nil {
		return networkError(err)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// pruneNetworks is POST /networks/prune: every network of the user's no
// container uses; until and label (label!) narrow it, as dockerd's.
func (s *Server) pruneNetworks(w http.ResponseWriter, r *http.Request) error {
	conds, err := queryFilters(r)
	if err != nil {
		return err
	}
	if err := conds.Validate("label", "label!", "until"); err != nil {
		return kindError{err, errInvalidArgument}
	}
	var removed []string
	if len(conds) == 0 {
		removed, err = s.host.Networks().Prune()
	} else {
		removed, err = s.pruneNetworksMatching(conds)
	}
	if err != nil {
		return networkError(err)
	}
	return writeJSON(w, http.StatusOK, mobynet.PruneReport{NetworksDeleted: orEmpty(removed)})
}

// pruneNetworksMatching removes, one by one, the unused networks of the
// user's that the filters match; one a container joined meanwhile stays.
func (s *Server) pruneNetworksMatching(conds filterArgs.Args) ([]string, error) {
	var until time.Time
	for _, v := range conds["until"] {
		t, err := parseUntil(v, time.Now())
		if err != nil {
			return nil, err
		}
		until = t
	}
	nets := s.host.Networks()
	list, err := nets.List()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range list {
		if n.Predefined() || len(n.Containers) > 0 || !until.IsZero() && !n.Created.Before(until) ||
			!host.LabelsMatch(n.Labels, conds["label"]) ||
			slices.ContainsFunc(conds["label!"], func(l string) bool { return host.LabelsMatch(n.Labels, []string{l}) }) {
			continue
		}
		if err := nets.Remove(n.ID); errors.Is(err, network.ErrInUse) {
			continue
		} else if err != nil {
			return removed, err
		}
		removed = append(removed, n.Name)
	}
	return removed, nil
}

package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Session is one container's networking for the life of its shim: the
// attachments of the current run and the port proxy. The proxy outlives
// restarts (Disconnect keeps it), so the container keeps its host ports
// and only the address it forwards to follows the new run. The shim owns
// a Session:
//
//	s := mgr.NewSession(spec)          // once
//	settings, err := s.Connect(pid)    // in BeforeRun of every run
//	s.Disconnect()                     // when the run's process has exited
//	s.Close()                          // when the shim is done
//	s.Sweep()                          // last, once its clients know the exit
type Session struct {
	m     *Manager
	spec  SessionSpec
	ports []PortMapping
	proxy *Proxy
	left  []leftLink // what Disconnect left to the kernel, for Sweep
}

// SessionSpec is what a container asks of the network.
type SessionSpec struct {
	ContainerID string
	Name        string // without "/"
	Hostname    string
	// Networks are joined in order; the first one's address is where
	// published ports go. Empty joins nothing (host and none).
	Networks []string
	Aliases  []string   // --network-alias, on every network joined
	IP       netip.Addr // --ip, on the first network
	// Connected are joined after Networks, each with its own aliases
	// and address (`network connect`).
	Connected []Connection
	// HostsPath is the container's hosts file (see AttachRequest).
	HostsPath string
	// Domainname and ExtraHosts go into the hosts file on every network
	// joined; MAC is the address on the first (see AttachRequest).
	Domainname string
	ExtraHosts []HostEntry
	MAC        net.HardwareAddr
	// PortBindings, ExposedPorts and PublishAll are -p, EXPOSE/--expose
	// and -P, in the engine's shapes.
	PortBindings map[string][]PortBinding
	ExposedPorts map[string]struct{}
	PublishAll   bool
}

// Connection is one network `network connect` added to a container, with
// its --alias and --ip ("" takes a free address).
type Connection struct {
	Network string   `json:"network"`
	Aliases []string `json:"aliases,omitempty"`
	IP      string   `json:"ip,omitempty"`
}

// Settings is what docker inspect shows as NetworkSettings.
type Settings struct {
	IPAddress   string                      `json:"IPAddress"`
	IPPrefixLen int                         `json:"IPPrefixLen"`
	Gateway     string                      `json:"Gateway"`
	MacAddress  string                      `json:"MacAddress"`
	Ports       map[string][]PortBinding    `json:"Ports"` // exposed but unpublished ports map to nil
	Networks    map[string]EndpointSettings `json:"Networks"`
}

// FillDefault sets the top-level IPAddress, IPPrefixLen, Gateway and
// MacAddress from the default bridge's entry in Networks, and empties them
// when the container is not on it: docker 20.10 shows them for "bridge"
// only (daemon/inspect.go getDefaultNetworkSettings); a user-defined
// network's values are in Networks alone.
func (s *Settings) FillDefault() {
	ep := s.Networks[NameBridge]
	s.IPAddress, s.IPPrefixLen, s.Gateway, s.MacAddress = ep.IPAddress, ep.IPPrefixLen, ep.Gateway, ep.MacAddress
}

// EndpointSettings is one network of a container, as docker inspect shows
// it.
type EndpointSettings struct {
	Links       []string `json:"Links"` // --link on a user-defined network ("NAME:ALIAS")
	Aliases     []string `json:"Aliases"`
	NetworkID   string   `json:"NetworkID"`
	EndpointID  string   `json:"EndpointID"`
	Gateway     string   `json:"Gateway"`
	IPAddress   string   `json:"IPAddress"`
	IPPrefixLen int      `json:"IPPrefixLen"`
	MacAddress  string   `json:"MacAddress"`
}

// NetworksFor turns docker's --network (HostConfig.NetworkMode) into the
// networks a container joins: none for "host", "none" and
// "container:ID" (it shares that container's), the default bridge for
// "", "bridge" and "default", else the named network.
func NetworksFor(mode string) []string {
	if strings.HasPrefix(mode, "container:") {
		return nil
	}
	switch mode {
	case NameHost, NameNone:
		return nil
	case "", NameBridge, "default":
		return []string{NameBridge}
	}
	return []string{mode}
}

// Validate checks a container's network settings as `docker create` does,
// so that a bad one fails before anything is made: the networks exist
// and are bridges, --ip and --network-alias are on a user-defined network
// and the address is in its subnet, ports parse (ErrInvalidPort) and have
// a network to be published from.
func (m *Manager) Validate(spec SessionSpec) error {
	_, err := m.validate(spec)
	return err
}

func (m *Manager) validate(spec SessionSpec) ([]PortMapping, error) {
	ports, err := PortMappings(spec.PortBindings, spec.ExposedPorts, spec.PublishAll)
	if err != nil {
		return nil, err
	}
	if len(ports) > 0 && len(spec.Networks)+len(spec.Connected) == 0 {
		return nil, fmt.Errorf("%w: publishing ports needs a bridge network", ErrInvalidPort)
	}
	userDefined := false
	for i, name := range spec.Networks {
		n, err := m.Inspect(name)
		if err != nil {
			return nil, err
		}
		subnet, gateway, ok := n.Subnet()
		if n.Driver != DriverBridge || !ok {
			return nil, fmt.Errorf("%w: %s (driver %s)", ErrNotBridge, n.Name, n.Driver)
		}
		userDefined = userDefined || n.UserDefined()
		if i == 0 && spec.IP.IsValid() {
			if !n.UserDefined() {
				return nil, fmt.Errorf("%w: a user-specified IP address is supported only on user-defined networks", ErrInvalidConfig)
			}
			if err := checkRequested(subnet, gateway, spec.IP, nil); err != nil {
				return nil, err
			}
		}
	}
	if len(spec.Aliases) > 0 && !userDefined {
		return nil, fmt.Errorf("%w: network-scoped aliases are supported only on user-defined networks", ErrInvalidConfig)
	}
	return ports, nil
}

// NewSession validates spec (see Validate) and returns a session that has
// not connected anything yet.
func (m *Manager) NewSession(spec SessionSpec) (*Session, error) {
	ports, err := m.validate(spec)
	if err != nil {
		return nil, err
	}
	return &Session{m: m, spec: spec, ports: ports}, nil
}

// Connect attaches the container whose init is pid to its networks and
// makes its published ports forward to it; the first Connect binds the
// host ports. On error nothing of this run is left attached, and a port
// that is taken is named in an error wrapping ErrPortInUse.
func (s *Session) Connect(pid int) (*Settings, error) {
	st := &Settings{Ports: map[string][]PortBinding{}, Networks: map[string]EndpointSettings{}}
	// external is the first attachment that is not internal, which published
	// ports forward to. As docker 20.10's, a container on internal
	// networks only publishes nothing and shows no ports, not even
	// exposed ones; one also on a normal network publishes through it.
	var external *Attachment
	joins := slices.Clone(s.spec.Connected)
	for i, name := range s.spec.Networks {
		joins = slices.Insert(joins, i, Connection{Network: name, Aliases: s.spec.Aliases})
	}
	for i, conn := range joins {
		name := conn.Network
		req := AttachRequest{
			Network: name, ContainerID: s.spec.ContainerID, Name: s.spec.Name, Hostname: s.spec.Hostname,
			NetNS: "/proc/" + strconv.Itoa(pid) + "/ns/net", HostsPath: s.spec.HostsPath, IfName: "eth" + strconv.Itoa(i),
			Domainname: s.spec.Domainname, ExtraHosts: s.spec.ExtraHosts,
		}
		if i == 0 {
			req.IP, req.MAC = s.spec.IP, s.spec.MAC
		}
		if ip, err := netip.ParseAddr(conn.IP); err == nil {
			req.IP = ip
		}
		nw, err := s.m.Inspect(name)
		if err != nil {
			return nil, errors.Join(err, s.m.Release(s.spec.ContainerID))
		}
		if nw.UserDefined() {
			req.Aliases = conn.Aliases
		}
		a, err := s.m.Attach(req)
		if err != nil {
			return nil, errors.Join(err, s.m.Release(s.spec.ContainerID))
		}
		if external == nil && !nw.Internal {
			external = a
		}
		st.Networks[a.Network] = EndpointSettings{
			Aliases: req.Aliases, NetworkID: a.NetworkID, EndpointID: a.EndpointID, Gateway: a.Gateway.String(),
			IPAddress: a.IP.String(), IPPrefixLen: a.PrefixLen, MacAddress: a.MacAddress,
		}
	}
	st.FillDefault()
	if external == nil && s.proxy != nil {
		err := s.proxy.Close()
		s.proxy = nil
		if err != nil {
			return nil, errors.Join(err, s.m.Release(s.spec.ContainerID))
		}
	}
	if external == nil {
		return st, nil
	}
	if len(s.ports) > 0 {
		switch s.proxy {
		case nil:
			p := NewProxy(external.IP, s.ports)
			if err := p.Start(); err != nil {
				return nil, errors.Join(err, s.m.Release(s.spec.ContainerID))
			}
			s.proxy = p
		default:
			s.proxy.Retarget(external.IP)
		}
		st.Ports = s.proxy.Bindings()
	}
	for port := range s.spec.ExposedPorts {
		if _, ok := st.Ports[port]; !ok {
			st.Ports[port] = nil
		}
	}
	return st, nil
}

// SetNetworks changes the networks the next Connect joins (see
// SessionSpec): a restart follows the `network connect` and `disconnect`
// made while the container ran.
func (s *Session) SetNetworks(networks []string, conns []Connection) {
	s.spec.Networks, s.spec.Connected = networks, conns
}

// Disconnect detaches the container from its networks after a run (its
// process has exited) and frees its addresses; the proxy keeps its ports
// for the next run. The veth pairs are taken down, not deleted: they go
// with the container's namespace, or at Sweep.
func (s *Session) Disconnect() error {
	left, err := s.m.leave(s.spec.ContainerID)
	s.left = append(s.left, left...)
	return err
}

// Close stops the proxy and detaches the container. It may be called more
// than once.
func (s *Session) Close() error {
	var errs []error
	if s.proxy != nil {
		errs = append(errs, s.proxy.Close())
	}
	errs = append(errs, s.m.Release(s.spec.ContainerID))
	return errors.Join(errs...)
}

// Sweep deletes the veth pairs Disconnect left that are still there: their
// namespace outlived the container (another container shares it). Deleting
// one takes the kernel tens of milliseconds, so the shim sweeps last,
// when nobody waits for it; by then a namespace that died with the
// container has taken its pairs along.
func (s *Session) Sweep() error {
	var errs []error
	for _, l := range s.left {
		errs = append(errs, deleteLinkAt(l.Index, l.Name))
	}
	s.left = nil
	return errors.Join(errs...)
}

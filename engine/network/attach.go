package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
)

// AttachRequest is one container joining one network.
type AttachRequest struct {
	// Network is a name, ID or unique ID prefix; "" is the default
	// "bridge".
	Network     string
	ContainerID string
	Name        string   // the container's name, without "/"; resolvable on user networks
	Hostname    string   // written beside the container's own address
	Aliases     []string // --network-alias: more names (user-defined networks only)
	// NetNS is the container's network namespace: /proc/<pid>/ns/net of
	// its init (or a bind-mounted namespace file).
	NetNS string
	// IfName is the interface's name inside; "" is "eth0".
	IfName string
	// IP asks for this address (--ip, user-defined networks only); the
	// zero value takes the lowest free one.
	IP netip.Addr
	// HostsPath is the container's hosts file, bind-mounted at
	// /etc/hosts; it is rewritten in place on every change of the
	// network's members. "" leaves it alone.
	HostsPath string
	// Domainname is written beside Hostname; ExtraHosts are more lines
	// of the hosts file (--add-host, links), HostGateway standing for
	// this network's gateway.
	Domainname string
	ExtraHosts []HostEntry
	// MAC is the address of the interface inside (--mac-address); nil
	// derives one from the IP address, as docker.
	MAC net.HardwareAddr
}

// Attachment says where a container landed: what docker inspect shows
// under NetworkSettings.Networks, and what the port proxy forwards to.
type Attachment struct {
	Network    string     // the network's name
	NetworkID  string     // its ID
	EndpointID string     // 64 hex
	IP         netip.Addr // the container's address
	PrefixLen  int
	Gateway    netip.Addr
	MacAddress string
	HostVeth   string // host end of the veth pair, on the network's bridge
	IfName     string // inside the container
}

// Attach connects a container's network namespace to a bridge network: an
// address from the network's subnet, a veth pair with one end named IfName
// inside (up, with the address and a default route via the gateway) and
// the other on the bridge, which is made (with its gateway address and
// rules) when it is not up. On error nothing of it is left.
func (m *Manager) Attach(req AttachRequest) (*Attachment, error) {
	a, err := m.attach(req)
	if err != nil {
		return nil, fmt.Errorf("attach %s to network %s: %w", req.Name, cmpOr(req.Network, NameBridge), err)
	}
	m.emit("connect", &Network{ID: a.NetworkID, Name: a.Network, Driver: DriverBridge}, req.ContainerID)
	return a, nil
}

func (m *Manager) attach(req AttachRequest) (*Attachment, error) {
	req.Network = cmpOr(req.Network, NameBridge)
	req.IfName = cmpOr(req.IfName, "eth0")
	if req.ContainerID == "" || req.NetNS == "" {
		return nil, fmt.Errorf("%w: container ID and network namespace are required", ErrInvalidConfig)
	}
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	recs, err := m.loadAll()
	if err != nil {
		return nil, err
	}
	r, err := find(recs, req.Network)
	if err != nil {
		return nil, err
	}
	subnet, gateway, ok := r.Network.Subnet()
	if r.Network.Driver != DriverBridge || !ok {
		return nil, fmt.Errorf("%w: %s (driver %s)", ErrNotBridge, r.Network.Name, r.Network.Driver)
	}
	if !r.Network.UserDefined() && len(req.Aliases) > 0 {
		return nil, fmt.Errorf("%w: network-scoped aliases are supported only on user-defined networks", ErrInvalidConfig)
	}
	if !r.Network.UserDefined() && req.IP.IsValid() {
		return nil, fmt.Errorf("%w: a user-specified IP address is supported only on user-defined networks", ErrInvalidConfig)
	}
	if err := m.dropDead(r); err != nil {
		return nil, err
	}
	if _, ok := r.Endpoints[req.ContainerID]; ok {
		return nil, ErrAttached
	}
	bridge := r.Network.Bridge()
	exists, err := linkExists(bridge)
	if err != nil {
		return nil, err
	}
	if !exists {
		if subnet, gateway, err = m.claimSubnet(recs, r); err != nil {
			return nil, err
		}
	}
	used := map[netip.Addr]bool{}
	for _, ep := range r.Endpoints {
		used[ep.IP] = true
	}
	ip := req.IP
	if ip.IsValid() {
		err = checkRequested(subnet, gateway, ip, used)
	} else {
		ip, err = allocate(subnet, gateway, used)
	}
	if err != nil {
		return nil, err
	}

	var undo cleanup
	defer undo.run()
	created, err := ensureBridge(bridge, netip.PrefixFrom(gateway, subnet.Bits()), m.mark, conflictHint(r, true))
	if err != nil {
		return nil, err
	}
	if created {
		undo.add(func() { _ = deleteLink(bridge) }) // undo steps are best effort; the attach's error is returned
	}
	ep := &endpoint{
		ContainerID: req.ContainerID, EndpointID: newID(), Name: req.Name, Hostname: req.Hostname,
		Aliases: slices.Clone(req.Aliases), IP: ip, HostVeth: vethName(r.Network.ID, req.ContainerID),
		IfName: req.IfName, HostsPath: req.HostsPath,
		Domainname: req.Domainname, ExtraHosts: resolveGateway(req.ExtraHosts, gateway),
	}
	mac := req.MAC
	if mac == nil {
		mac = macAddress(ip)
	} else {
		ep.MAC = mac.String()
	}
	// A link of that name with no endpoint recorded is a leftover of an
	// attach that was killed half-way: under the lock, nobody owns it.
	if err := deleteLink(ep.HostVeth); err != nil {
		return nil, err
	}
	err = createVeth(vethSpec{
		HostName: ep.HostVeth, Bridge: bridge, NetNS: req.NetNS, IfName: req.IfName,
		Address: netip.PrefixFrom(ip, subnet.Bits()), Gateway: gateway, MAC: mac,
	})
	if err != nil {
		return nil, err
	}
	undo.add(func() { _ = deleteLink(ep.HostVeth) })
	r.Endpoints[req.ContainerID] = ep
	if created || !r.BridgeUp {
		wasUp := r.BridgeUp
		r.BridgeUp = true
		undo.add(func() {
			r.BridgeUp = wasUp
			_ = m.syncRules(recs)
		})
		if err := m.syncRules(recs); err != nil {
			return nil, err
		}
	}
	if err := m.saveEndpoints(r); err != nil {
		return nil, err
	}
	undo.release()
	m.refreshHosts(recs, r, req.ContainerID)
	return &Attachment{
		Network: r.Network.Name, NetworkID: r.Network.ID, EndpointID: ep.EndpointID,
		IP: ip, PrefixLen: subnet.Bits(), Gateway: gateway, MacAddress: ep.mac(),
		HostVeth: ep.HostVeth, IfName: ep.IfName,
	}, nil
}

// Detach disconnects a container from one network: its veth pair goes and
// its address is free again. The bridge stays, as docker's: Remove or
// Prune takes it down. Detaching a container that is not attached does
// nothing.
func (m *Manager) Detach(network, containerID string) error {
	if err := m.detach(network, containerID, deleteLink); err != nil {
		return fmt.Errorf("detach %s from network %s: %w", shortID(containerID), network, err)
	}
	return nil
}

// Release detaches a container from every network it is on. It is
// idempotent, and fine to call for a container whose namespace (and so
// its veth ends) is already gone: the engine calls it on stop, on rm and
// when it finds a shim dead.
func (m *Manager) Release(containerID string) error {
	if err := m.detach("", containerID, deleteLink); err != nil {
		return fmt.Errorf("release networks of %s: %w", shortID(containerID), err)
	}
	return nil
}

// leftLink is a host veth end that leave took down and forgot: the kernel
// deletes the pair when the container's namespace dies.
type leftLink struct {
	Name  string
	Index int
}

// leave is Release for a container whose process has exited, without
// deleting its veth pairs: deleting an interface waits for every pending
// RCU callback of the kernel (rcu_barrier, 15 to 30 ms here), while a
// namespace that dies with its last process takes its pairs with it, in
// the kernel's own worker. Each host end is taken down first, so a pair
// that outlives the container (its namespace shared with another
// container, or held open) carries nothing while its address goes to
// another; the links it returns are what Session.Sweep deletes if the
// kernel has not.
func (m *Manager) leave(containerID string) ([]leftLink, error) {
	var left []leftLink
	err := m.detach("", containerID, func(name string) error {
		index, err := setLinkDown(name)
		if index > 0 {
			left = append(left, leftLink{Name: name, Index: index})
		}
		return err
	})
	if err != nil {
		return left, fmt.Errorf("release networks of %s: %w", shortID(containerID), err)
	}
	return left, nil
}

// detach removes containerID from network, or from all networks when
// network is "", unlinking each host veth end with unlink.
func (m *Manager) detach(network, containerID string, unlink func(name string) error) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := m.loadAll()
	if err != nil {
		return err
	}
	targets := recs
	if network != "" {
		r, err := find(recs, network)
		if err != nil {
			return err
		}
		targets = []*record{r}
	}
	var errs []error
	for _, r := range targets {
		ep, ok := r.Endpoints[containerID]
		if !ok {
			continue
		}
		if err := unlink(ep.HostVeth); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(r.Endpoints, containerID)
		if err := m.saveEndpoints(r); err != nil {
			errs = append(errs, err)
			continue
		}
		m.emit("disconnect", &r.Network, containerID)
		m.refreshHosts(recs, r, "")
		if ep.HostsPath != "" {
			if err := writeInPlace(ep.HostsPath, hostsFor(recs, containerID, ep)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// refreshHosts rewrites the hosts files of the containers that see a
// change of r's members: all of them on a user-defined network, else only
// the one that joined.
func (m *Manager) refreshHosts(recs []*record, r *record, joined string) {
	for id, ep := range r.Endpoints {
		if ep.HostsPath == "" || (!r.Network.UserDefined() && id != joined) {
			continue
		}
		// A hosts file that cannot be written is the container's problem
		// only: name resolution is best effort and the attach stands.
		_ = writeInPlace(ep.HostsPath, hostsFor(recs, id, ep))
	}
}

// Attachments returns the networks a container is attached to, by
// network name.
func (m *Manager) Attachments(containerID string) (map[string]*Attachment, error) {
	recs, err := m.loadAll()
	if err != nil {
		return nil, err
	}
	out := map[string]*Attachment{}
	for _, r := range recs {
		ep, ok := r.Endpoints[containerID]
		if !ok {
			continue
		}
		subnet, gateway, _ := r.Network.Subnet()
		out[r.Network.Name] = &Attachment{
			Network: r.Network.Name, NetworkID: r.Network.ID, EndpointID: ep.EndpointID,
			IP: ep.IP, PrefixLen: subnet.Bits(), Gateway: gateway, MacAddress: ep.mac(),
			HostVeth: ep.HostVeth, IfName: ep.IfName,
		}
	}
	return out, nil
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// cleanup is a stack of undo steps for a half-built attachment.
type cleanup struct{ steps []func() }

func (c *cleanup) add(f func()) { c.steps = append(c.steps, f) }
func (c *cleanup) release()     { c.steps = nil }
func (c *cleanup) run() {
	for i := len(c.steps) - 1; i >= 0; i-- {
		c.steps[i]()
	}
}

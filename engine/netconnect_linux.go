package engine

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"

	"berth/engine/network"

	"golang.org/x/sys/unix"
)

// ConnectOptions are `network connect`'s --alias and --ip.
type ConnectOptions struct {
	Aliases []string
	IP      string
}

// ConnectNetwork is `docker network connect`: it adds the network to the
// container ref. A running container gets a new interface in its network
// namespace now, with an address from the network's subnet (or
// opts.IP) and its aliases resolvable by the network's members; any
// container keeps the network in its record and joins it at every
// start. On error nothing of it is left.
func (e *Engine) ConnectNetwork(netRef, ref string, opts ConnectOptions) error {
	if err := e.connectNetwork(netRef, ref, opts); err != nil {
		return fmt.Errorf("connect %s to network %s: %w", ref, netRef, err)
	}
	return nil
}

func (e *Engine) connectNetwork(netRef, ref string, opts ConnectOptions) error {
	n, err := e.networks.Inspect(netRef)
	if err != nil {
		return err
	}
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	defer unlock()
	defer e.netHold.hold(c.ID)() // after the save below, before the unlock
	mode := c.HostConfig.NetworkMode
	switch {
	case mode == network.NameHost || mode == network.NameNone || containerRef(mode) != "":
		return invalidf("container sharing network namespace with another container or host cannot be connected to any other network")
	case n.Driver != network.DriverBridge:
		return invalidf("container cannot be disconnected from host network or connected to host network")
	case !n.UserDefined() && (len(opts.Aliases) > 0 || opts.IP != ""):
		return invalidf("network-scoped alias and user specified IP address are supported only for containers in user defined networks")
	}
	if opts.IP != "" {
		if ip, err := netip.ParseAddr(opts.IP); err != nil || !ip.Is4() {
			return invalidf("invalid IPv4 address: %q", opts.IP)
		}
	}
	if e.onNetwork(c, n) {
		return invalidf("endpoint with name %s already exists in network %s", c.DisplayName(), n.Name)
	}
	conn := network.Connection{Network: n.Name, Aliases: opts.Aliases, IP: opts.IP}
	left := slices.Index(c.LeftNetworks, n.Name)
	if left >= 0 {
		// Back on a network of its --network: with its own aliases and
		// address, as at create.
		conn.Aliases, conn.IP = c.NetworkAliases, c.IP
	}
	if c.State.Status.hasProcess() {
		if err := e.attachRunning(c, conn); err != nil {
			return err
		}
	}
	if left >= 0 {
		c.LeftNetworks = slices.Delete(c.LeftNetworks, left, left+1)
	} else {
		c.Connected = append(c.Connected, conn)
	}
	if err := e.store.save(c); err != nil {
		return errors.Join(err, e.networks.Detach(n.Name, c.ID))
	}
	return nil
}

// onNetwork reports whether the container is (or at its start will be)
// on network n.
func (e *Engine) onNetwork(c *record, n *network.Network) bool {
	for _, name := range joinedNetworks(c) {
		if name == n.Name || name == n.ID {
			return true
		}
	}
	return slices.ContainsFunc(c.Connected, func(conn network.Connection) bool { return conn.Network == n.Name })
}

// joinedNetworks are the networks of the container's --network it has
// not been disconnected from.
func joinedNetworks(c *record) []string {
	var out []string
	for _, name := range network.NetworksFor(c.HostConfig.NetworkMode) {
		if !slices.Contains(c.LeftNetworks, name) {
			out = append(out, name)
		}
	}
	return out
}

// attachRunning attaches the running container c to one more network and
// records it in c.NetworkSettings; c's PID 1 is checked to be the child
// of its live shim after its namespace is open.
func (e *Engine) attachRunning(c *record, conn network.Connection) error {
	pid := c.State.Pid
	notRunning := fmt.Errorf("container %s is not running: %w", c.DisplayName(), ErrNotRunning)
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return notRunning
	}
	defer func() { _ = unix.Close(pidfd) }()
	nsFd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open the network namespace of %s: %w", c.DisplayName(), err)
	}
	defer func() { _ = unix.Close(nsFd) }()
	// Alive after the open, the pidfd's process is the one whose
	// namespace was opened (its PID cannot have been reused), and it is
	// the container's if its parent is the container's live shim.
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
		return notRunning
	}
	if st, err := readProcStat("/proc", pid); err != nil || st.PPID != c.ShimPID || !shimAlive(c) {
		return notRunning
	}
	atts, err := e.networks.Attachments(c.ID)
	if err != nil {
		return err
	}
	ifName := ""
	for i := 0; ifName == ""; i++ {
		name := "eth" + strconv.Itoa(i)
		if !slices.ContainsFunc(slices.Collect(maps.Values(atts)), func(a *network.Attachment) bool { return a.IfName == name }) {
			ifName = name
		}
	}
	// A linked container that stopped meanwhile has no line to give.
	extra := hostEntries(c.HostConfig)
	if links, err := e.linkHosts(c); err == nil {
		extra = append(extra, links...)
	}
	req := network.AttachRequest{
		Network: conn.Network, ContainerID: c.ID, Name: c.DisplayName(), Hostname: c.Config.Hostname,
		Aliases: conn.Aliases, NetNS: "/proc/self/fd/" + strconv.Itoa(nsFd), IfName: ifName,
		HostsPath: c.HostsPath, Domainname: c.Config.Domainname, ExtraHosts: extra,
	}
	if conn.IP != "" {
		req.IP, _ = netip.ParseAddr(conn.IP) // checked by the caller
	}
	a, err := e.networks.Attach(req)
	if err != nil {
		return err
	}
	if c.NetworkSettings == nil {
		c.NetworkSettings = &network.Settings{Ports: map[string][]network.PortBinding{}, Networks: map[string]network.EndpointSettings{}}
	}
	if c.NetworkSettings.Networks == nil {
		c.NetworkSettings.Networks = map[string]network.EndpointSettings{}
	}
	c.NetworkSettings.Networks[a.Network] = network.EndpointSettings{
		Aliases: conn.Aliases, NetworkID: a.NetworkID, EndpointID: a.EndpointID, Gateway: a.Gateway.String(),
		IPAddress: a.IP.String(), IPPrefixLen: a.PrefixLen, MacAddress: a.MacAddress,
	}
	c.NetworkSettings.FillDefault()
	return nil
}

// DisconnectNetwork is `docker network disconnect`: the container leaves
// the network, its --network one too; a running one loses that interface
// and address now, and it is not joined at the next start. force makes a
// container that is not on the network no error.
func (e *Engine) DisconnectNetwork(netRef, ref string, force bool) error {
	if err := e.disconnectNetwork(netRef, ref, force); err != nil {
		return fmt.Errorf("disconnect %s from network %s: %w", ref, netRef, err)
	}
	return nil
}

func (e *Engine) disconnectNetwork(netRef, ref string, force bool) error {
	n, err := e.networks.Inspect(netRef)
	if err != nil {
		return err
	}
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	defer unlock()
	defer e.netHold.hold(c.ID)() // after the save below, before the unlock
	if n.Driver != network.DriverBridge {
		return invalidf("container cannot be disconnected from host network or connected to host network")
	}
	i := slices.IndexFunc(c.Connected, func(conn network.Connection) bool { return conn.Network == n.Name })
	own := slices.Contains(joinedNetworks(c), n.Name)
	if i < 0 && !own {
		if force {
			return nil
		}
		return invalidf("container %s is not connected to network %s", c.DisplayName(), n.Name)
	}
	if err := e.networks.Detach(n.Name, c.ID); err != nil {
		return err
	}
	if own {
		c.LeftNetworks = append(c.LeftNetworks, n.Name)
	} else {
		c.Connected = slices.Delete(c.Connected, i, i+1)
	}
	if c.NetworkSettings != nil {
		delete(c.NetworkSettings.Networks, n.Name)
		c.NetworkSettings.FillDefault()
	}
	return e.store.save(c)
}

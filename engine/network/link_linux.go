package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// The kernel side of bridges and veth pairs, through netlink. Work inside a
// container's namespace goes through a netlink socket opened in that
// namespace (netlink.NewHandleAt), so no thread of ours ever switches.

// linkExists asks the kernel for one interface of the host's namespace
// (a get, not a dump: a dump can be cut short by concurrent changes).
func linkExists(name string) (bool, error) {
	_, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	switch {
	case errors.As(err, &notFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("find link %s: %w", name, err)
	}
	return true, nil
}

// ensureBridge makes the bridge name exist, marked with mark (the
// data root's, see roots.go), and be up with address gw; created says it
// did not exist before. A bridge marked by another root is refused, its
// error ending with hint; one with no mark is adopted.
func ensureBridge(name string, gw netip.Prefix, mark, hint string) (created bool, err error) {
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	switch {
	case errors.As(err, &notFound):
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}
		switch err := netlink.LinkAdd(br); {
		case errors.Is(err, unix.EEXIST): // made meanwhile, by another root or another berth of ours
		case err != nil:
			return false, fmt.Errorf("create bridge %s: %w", name, err)
		default:
			created = true
		}
		if link, err = netlink.LinkByName(name); err != nil {
			return false, fmt.Errorf("create bridge %s: %w", name, err)
		}
	case err != nil:
		return false, fmt.Errorf("find bridge %s: %w", name, err)
	}
	fail := func(err error) (bool, error) {
		if created {
			_ = netlink.LinkDel(link) // best effort; err is what failed
		}
		return false, err
	}
	if link.Type() != "bridge" {
		return fail(fmt.Errorf("%w: %s exists and is a %s, not a bridge", ErrInvalidConfig, name, link.Type()))
	}
	if root, ok := otherOwner(link.Attrs().Alias, mark); ok {
		return false, &conflictError{fmt.Sprintf("bridge %s belongs to the data root %s; %s", name, root, hint)}
	}
	if link.Attrs().Alias != mark {
		if err := netlink.LinkSetAlias(link, mark); err != nil {
			return fail(fmt.Errorf("mark bridge %s as %s: %w", name, mark, err))
		}
	}
	addr := &netlink.Addr{IPNet: ipNet(gw)}
	if err := netlink.AddrAdd(link, addr); err != nil && !errors.Is(err, unix.EEXIST) {
		return fail(fmt.Errorf("add address %s to bridge %s: %w", gw, name, err))
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fail(fmt.Errorf("bring bridge %s up: %w", name, err))
	}
	return created, nil
}

// deleteBridge deletes a bridge unless another data root's mark is on it;
// one that does not exist is not an error.
func deleteBridge(name, mark string) error {
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	switch {
	case errors.As(err, &notFound):
		return nil
	case err != nil:
		return fmt.Errorf("find bridge %s: %w", name, err)
	}
	if _, ok := otherOwner(link.Attrs().Alias, mark); ok {
		return nil
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete bridge %s: %w", name, err)
	}
	return nil
}

// deleteLink deletes an interface; one that does not exist is not an
// error.
func deleteLink(name string) error {
	if name == "" {
		return nil
	}
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find link %s: %w", name, err)
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// setLinkDown takes an interface down and returns its index; one that
// does not exist is not an error (index 0).
func setLinkDown(name string) (int, error) {
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find link %s: %w", name, err)
	}
	if err := netlink.LinkSetDown(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return link.Attrs().Index, fmt.Errorf("take link %s down: %w", name, err)
	}
	return link.Attrs().Index, nil
}

// deleteLinkAt deletes the interface at index if it is still name: the
// kernel hands out indexes in a cycle, so another link there is one made
// after it (the next run's pair of the same name, say), not to delete. One
// that does not exist is not an error.
func deleteLinkAt(index int, name string) error {
	link, err := netlink.LinkByIndex(index)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find link %s: %w", name, err)
	}
	if link.Attrs().Name != name {
		return nil
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// vethSpec is one veth pair between the host's bridge and a container.
type vethSpec struct {
	HostName string // host end, put on Bridge
	Bridge   string
	NetNS    string // path of the container's network namespace
	IfName   string // container end's name there
	Address  netip.Prefix
	Gateway  netip.Addr
	MAC      net.HardwareAddr
}

// createVeth makes the pair with its container end created right inside
// the container's namespace, configures that end (MAC, address, up,
// default route), and puts the host end up on the bridge. On error the
// pair is deleted.
func createVeth(s vethSpec) error {
	nsFd, err := unix.Open(s.NetNS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open network namespace %s: %w", s.NetNS, err)
	}
	defer func() { _ = unix.Close(nsFd) }()
	bridge, err := netlink.LinkByName(s.Bridge)
	if err != nil {
		return fmt.Errorf("find bridge %s: %w", s.Bridge, err)
	}
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: s.HostName, MasterIndex: bridge.Attrs().Index, MTU: bridge.Attrs().MTU},
		PeerName:         s.IfName,
		PeerHardwareAddr: s.MAC,
		PeerNamespace:    netlink.NsFd(nsFd),
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", s.HostName, err)
	}
	if err := configurePeer(nsFd, s); err != nil {
		_ = netlink.LinkDel(veth) // best effort; the error below is what failed
		return err
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		_ = netlink.LinkDel(veth)
		return fmt.Errorf("bring %s up: %w", s.HostName, err)
	}
	return nil
}

// configurePeer gives the container's end its address and route.
func configurePeer(nsFd int, s vethSpec) error {
	h, err := netlink.NewHandleAt(netns.NsHandle(nsFd))
	if err != nil {
		return fmt.Errorf("open netlink in %s: %w", s.NetNS, err)
	}
	defer h.Close()
	link, err := h.LinkByName(s.IfName)
	if err != nil {
		return fmt.Errorf("find %s in the container: %w", s.IfName, err)
	}
	if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(s.Address)}); err != nil {
		return fmt.Errorf("add address %s to %s: %w", s.Address, s.IfName, err)
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("bring %s up: %w", s.IfName, err)
	}
	// The first network's default route stays: a container on several
	// networks leaves through its first, as docker's.
	route := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: s.Gateway.AsSlice()}
	if err := h.RouteAdd(route); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("add default route via %s: %w", s.Gateway, err)
	}
	return nil
}

// hostAddresses lists the IPv4 addresses of the host's namespace, which
// a new bridge's subnet must not overlap.
func hostAddresses() ([]hostAddress, error) {
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	for try := 0; errors.Is(err, netlink.ErrDumpInterrupted) && try < 10; try++ {
		addrs, err = netlink.AddrList(nil, netlink.FAMILY_V4)
	}
	if err != nil {
		return nil, fmt.Errorf("list host addresses: %w", err)
	}
	var out []hostAddress
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP.To4())
		if !ok {
			continue
		}
		bits, _ := a.Mask.Size()
		// The label of an IPv4 address is its interface's name unless
		// someone gave it another.
		out = append(out, hostAddress{Prefix: netip.PrefixFrom(ip, bits), Link: a.Label})
	}
	return out, nil
}

// enableForwarding turns on IPv4 forwarding, without which nothing leaves
// a bridge network.
func enableForwarding() error {
	const path = "/proc/sys/net/ipv4/ip_forward"
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 && b[0] == '1' {
		return nil
	}
	if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
		return fmt.Errorf("enable ip forwarding: %w", err)
	}
	return nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

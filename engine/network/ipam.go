package network

import (
	"fmt"
	"net"
	"net/netip"
)

// Address management is plain arithmetic on netip values; the store makes
// it safe across processes by doing it under its lock, with every address
// in use written in the network's file.

// parseSubnet checks a subnet and its gateway as `network create` takes
// them: IPv4, in canonical form, at most /30, the gateway a host address
// inside it. An empty gateway is the subnet's first host address.
func parseSubnet(subnet, gateway string) (netip.Prefix, netip.Addr, error) {
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("%w: invalid subnet %q", ErrInvalidConfig, subnet)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("%w: subnet %s: only IPv4 is supported", ErrInvalidConfig, subnet)
	}
	if p.Masked() != p {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("%w: invalid subnet %s: it should be %s", ErrInvalidConfig, subnet, p.Masked())
	}
	if p.Bits() > 30 {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("%w: subnet %s is too small (at most /30)", ErrInvalidConfig, subnet)
	}
	if gateway == "" {
		return p, p.Addr().Next(), nil
	}
	gw, err := netip.ParseAddr(gateway)
	if err != nil || !gw.Is4() {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("%w: invalid gateway %q", ErrInvalidConfig, gateway)
	}
	if !p.Contains(gw) || gw == p.Addr() || gw == broadcast(p) {
		return netip.Prefix{}, netip.Addr{}, fmt.Errorf("%w: gateway %s is not a host address of subnet %s", ErrInvalidConfig, gateway, subnet)
	}
	return p, gw, nil
}

// broadcast is the last address of an IPv4 prefix.
func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// allocate returns the lowest host address of subnet that is neither the
// gateway nor in used.
func allocate(subnet netip.Prefix, gateway netip.Addr, used map[netip.Addr]bool) (netip.Addr, error) {
	last := broadcast(subnet)
	for a := subnet.Addr().Next(); a.IsValid() && a != last; a = a.Next() {
		if a != gateway && !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%w %s", ErrNoAddress, subnet)
}

// checkRequested checks an address a caller asked for by name.
func checkRequested(subnet netip.Prefix, gateway, want netip.Addr, used map[netip.Addr]bool) error {
	switch {
	case !subnet.Contains(want) || want == subnet.Addr() || want == broadcast(subnet):
		return fmt.Errorf("%w: address %s is not a host address of subnet %s", ErrInvalidConfig, want, subnet)
	case want == gateway || used[want]:
		return fmt.Errorf("%w: %s", ErrAddressInUse, want)
	}
	return nil
}

// pickSubnet returns the first prefix of the given size inside pool that
// overlaps none of taken.
func pickSubnet(pool netip.Prefix, bits int, taken []netip.Prefix) (netip.Prefix, error) {
	for p := netip.PrefixFrom(pool.Addr(), bits); pool.Contains(p.Addr()); {
		if !overlapsAny(p, taken) {
			return p, nil
		}
		next := broadcast(p).Next()
		if !next.IsValid() {
			break
		}
		p = netip.PrefixFrom(next, bits)
	}
	return netip.Prefix{}, fmt.Errorf("%w: no free /%d left in %s", ErrNoAddress, bits, pool)
}

// macAddress is docker's locally administered MAC for an IPv4 address:
// 02:42 followed by the address's four bytes.
func macAddress(ip netip.Addr) net.HardwareAddr {
	a := ip.As4()
	return net.HardwareAddr{0x02, 0x42, a[0], a[1], a[2], a[3]}
}

package network

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
)

// Several data roots may share a host (a second install, a test suite
// beside a demo). Each owns its default bridge, the subnet of that bridge
// and its nftables table, so that no root's containers take another's
// addresses or lose their NAT when another root rewrites its rules:
//
//   - the names come from RootNames, once, for every face;
//   - every bridge a root makes carries the root's mark (the interface's
//     alias, IFLA_IFALIAS, "berth:<root>"), and a root neither uses nor
//     deletes a bridge marked by another;
//   - a bridge is brought up only on a subnet that overlaps no address of
//     the host, and a root other than the default one picks its default
//     subnet as docker does when its default is taken (autoSubnet).

// AutoSubnetRange is where a data root other than the default one picks
// its default bridge's subnet when none is configured: one of the /24s
// after DefaultSubnet, which stays the default root's. It overlaps neither
// DefaultSubnetPool nor the subnets of docker and podman.
const AutoSubnetRange = "10.203.0.0/16"

// ownerPrefix starts the alias berth marks its bridges with.
const ownerPrefix = "berth:"

// maxAlias is the longest interface alias the kernel keeps (IFALIASZ-1).
const maxAlias = 255

// RootNames returns the default bridge and the nftables table of the data
// root at the absolute path root: DefaultBridgeName and DefaultTable for
// the host's default root (isDefault), and for any other root "berth-"
// and "berth_" followed by eight hex digits of a hash of its path. The
// bridge's name fits the 15 bytes of an interface name.
func RootNames(root string, isDefault bool) (bridge, table string) {
	if isDefault {
		return DefaultBridgeName, DefaultTable
	}
	h := fmt.Sprintf("%08x", rootHash(root))
	return "berth-" + h, "berth_" + h
}

func rootHash(root string) uint32 {
	sum := sha256.Sum256([]byte(filepath.Clean(root)))
	return binary.BigEndian.Uint32(sum[:4])
}

// ownerMark is the alias of the bridges root makes: "berth:<root>", or
// for a path too long for an alias "berth:sha256:<hash of the path>".
func ownerMark(root string) string {
	root = filepath.Clean(root)
	if len(ownerPrefix)+len(root) > maxAlias {
		return fmt.Sprintf("%ssha256:%x", ownerPrefix, sha256.Sum256([]byte(root)))
	}
	return ownerPrefix + root
}

// otherOwner says whether a bridge's alias marks it as another root's than
// the one whose mark is ours, and names that root. A bridge with no mark
// (made by an older berth, or by the user for the "bridge" setting) is
// nobody's.
func otherOwner(alias, ours string) (string, bool) {
	if alias == ours || !strings.HasPrefix(alias, ownerPrefix) {
		return "", false
	}
	return strings.TrimPrefix(alias, ownerPrefix), true
}

// autoSubnet picks the default subnet of a root other than the default
// one: the first /24 of AutoSubnetRange after DefaultSubnet that overlaps
// none of taken, looking from a /24 chosen by the hash of the root's path
// (and around), so that roots made while the others' bridges were down
// rarely pick the same one.
func autoSubnet(root string, taken []netip.Prefix) (netip.Prefix, error) {
	base := netip.MustParsePrefix(AutoSubnetRange).Addr().As4()
	const n = 255 // 10.203.1.0/24 … 10.203.255.0/24
	start := int(rootHash(root) % n)
	for i := range n {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{base[0], base[1], byte(1 + (start+i)%n), 0}), 24)
		if !overlapsAny(p, taken) {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("%w: no free /24 left in %s for the default bridge; set \"bip\" in the config", ErrNoAddress, AutoSubnetRange)
}

// inAutoRange says whether p is a subnet autoSubnet could have picked.
func inAutoRange(p netip.Prefix) bool {
	return p.Bits() == 24 && netip.MustParsePrefix(AutoSubnetRange).Contains(p.Addr()) &&
		!p.Overlaps(netip.MustParsePrefix(DefaultSubnet))
}

func overlapsAny(p netip.Prefix, taken []netip.Prefix) bool {
	for _, t := range taken {
		if t.Overlaps(p) {
			return true
		}
	}
	return false
}

// hostAddress is one IPv4 address of the host's network namespace, with
// its prefix length, and the interface holding it.
type hostAddress struct {
	Prefix netip.Prefix // e.g. 192.168.1.7/24
	Link   string
}

// prefixes are the subnets of addrs.
func prefixes(addrs []hostAddress) []netip.Prefix {
	out := make([]netip.Prefix, len(addrs))
	for i, a := range addrs {
		out[i] = a.Prefix.Masked()
	}
	return out
}

// hostOverlap returns the first of addrs whose subnet overlaps subnet and
// that is on an interface other than bridge.
func hostOverlap(subnet netip.Prefix, bridge string, addrs []hostAddress) (hostAddress, bool) {
	for _, a := range addrs {
		if a.Link != bridge && a.Prefix.Masked().Overlaps(subnet) {
			return a, true
		}
	}
	return hostAddress{}, false
}

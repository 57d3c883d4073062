package network

import (
	"berth/internal/testenv"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestRootsSideBySide runs two data roots on one host: each has its own
// bridge (marked with its root), subnet and table, and each table holds
// only its own root's rules, whatever the other root rewrites.
func TestRootsSideBySide(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tnA, tnB := newTestNet(t), newTestNet(t)
	mA, mB := openTestManager(t, tnA), openTestManager(t, tnB)
	a, b := startFake(t), startFake(t)
	attA, err := mA.Attach(AttachRequest{ContainerID: a.ID, NetNS: a.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	attB, err := mB.Attach(AttachRequest{ContainerID: b.ID, NetNS: b.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	if attA.IP == attB.IP || attA.MacAddress == attB.MacAddress {
		t.Errorf("the two roots' containers share an address: %s %s and %s %s", attA.IP, attA.MacAddress, attB.IP, attB.MacAddress)
	}
	for _, tn := range []testNet{tnA, tnB} {
		if got, want := bridgeAlias(t, tn.Opts.DefaultBridge), ownerMark(tn.Opts.Root); got != want {
			t.Errorf("bridge %s is marked %q, want %q", tn.Opts.DefaultBridge, got, want)
		}
	}
	checkNAT := func(when string, table string, want ...string) {
		t.Helper()
		slices.Sort(want)
		if got := testenv.NATBridges(t, table); !slices.Equal(got, want) {
			t.Errorf("%s: table %s masquerades for %q, want %q", when, table, got, want)
		}
	}
	checkNAT("both up", tnA.Opts.Table, tnA.Opts.DefaultBridge)
	checkNAT("both up", tnB.Opts.Table, tnB.Opts.DefaultBridge)

	// Root A brings a second network up and down, rewriting its table
	// twice; B's rules stay.
	n, err := mA.Create(CreateOptions{Name: "second", Subnet: tnA.Spare})
	if err != nil {
		t.Fatal(err)
	}
	a2 := startFake(t)
	if _, err := mA.Attach(AttachRequest{Network: "second", ContainerID: a2.ID, NetNS: a2.NetNS()}); err != nil {
		t.Fatal(err)
	}
	checkNAT("A's second network up", tnA.Opts.Table, n.Bridge(), tnA.Opts.DefaultBridge)
	checkNAT("A's second network up", tnB.Opts.Table, tnB.Opts.DefaultBridge)
	if err := mA.Release(a2.ID); err != nil {
		t.Fatal(err)
	}
	if err := mA.Remove("second"); err != nil {
		t.Fatal(err)
	}
	checkNAT("A's second network removed", tnA.Opts.Table, tnA.Opts.DefaultBridge)
	checkNAT("A's second network removed", tnB.Opts.Table, tnB.Opts.DefaultBridge)

	// A with nothing running deletes its table and bridge, and nothing
	// of B's.
	if err := mA.Release(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := mA.Prune(); err != nil {
		t.Fatal(err)
	}
	if tableExists(t, tnA.Opts.Table) || hasLink(tnA.Opts.DefaultBridge) {
		t.Errorf("root A pruned, but its table or bridge %s is still there", tnA.Opts.DefaultBridge)
	}
	checkNAT("A pruned", tnB.Opts.Table, tnB.Opts.DefaultBridge)
	b.exec(t, "ping", "-c", "1", "-W", "2", attB.Gateway.String())
}

// TestRootRefusesAnotherRootsBridge configures a root with the bridge of
// another, which is up: the attach is refused, naming the owner and the
// settings to change, and leaves nothing; pruning the refused root leaves
// the other's bridge alone.
func TestRootRefusesAnotherRootsBridge(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tnA, tnC := newTestNet(t), newTestNet(t)
	tnC.Opts.DefaultBridge = tnA.Opts.DefaultBridge
	mA, mC := openTestManager(t, tnA), openTestManager(t, tnC)
	a, c := startFake(t), startFake(t)
	attA, err := mA.Attach(AttachRequest{ContainerID: a.ID, NetNS: a.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mC.Attach(AttachRequest{ContainerID: c.ID, NetNS: c.NetNS()})
	want := fmt.Sprintf(`bridge %s belongs to the data root %s; set "bridge" and "bip" in the config`, tnA.Opts.DefaultBridge, tnA.Opts.Root)
	if !errors.Is(err, ErrConflict) || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("attach to another root's bridge: %v\nwant an error ending %q", err, want)
	}
	br, _ := mC.Inspect(NameBridge)
	if hasLink(vethName(br.ID, c.ID)) || tableExists(t, tnC.Opts.Table) || len(br.Containers) > 0 {
		t.Errorf("the refused attach left something: veth %v, table %v, endpoints %v",
			hasLink(vethName(br.ID, c.ID)), tableExists(t, tnC.Opts.Table), br.Containers)
	}
	if out, err := c.run("ip", "-o", "addr"); err != nil || strings.Contains(out, "eth0") {
		t.Errorf("the container has an interface after a refused attach: %v\n%s", err, out)
	}
	if _, err := mC.Prune(); err != nil {
		t.Fatal(err)
	}
	if got := bridgeAlias(t, tnA.Opts.DefaultBridge); got != ownerMark(tnA.Opts.Root) {
		t.Errorf("root A's bridge is marked %q after the other root's prune", got)
	}
	a.exec(t, "ping", "-c", "1", "-W", "2", attA.Gateway.String())
}

// TestRootRefusesTakenSubnet configures a root with the subnet of
// another's bridge, which is up: refused, naming both and the setting.
func TestRootRefusesTakenSubnet(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tnA, tnD := newTestNet(t), newTestNet(t)
	tnD.Opts.DefaultSubnet = tnA.Opts.DefaultSubnet
	mA, mD := openTestManager(t, tnA), openTestManager(t, tnD)
	a, d := startFake(t), startFake(t)
	attA, err := mA.Attach(AttachRequest{ContainerID: a.ID, NetNS: a.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mD.Attach(AttachRequest{ContainerID: d.ID, NetNS: d.NetNS()})
	gw := netip.PrefixFrom(attA.Gateway, attA.PrefixLen)
	want := fmt.Sprintf(`subnet %s of network bridge overlaps %s on interface %s of the host; set "bip" in the config`,
		tnA.Opts.DefaultSubnet, gw, tnA.Opts.DefaultBridge)
	if !errors.Is(err, ErrConflict) || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("attach on another root's subnet: %v\nwant an error ending %q", err, want)
	}
	if hasLink(tnD.Opts.DefaultBridge) || tableExists(t, tnD.Opts.Table) {
		t.Error("the refused attach left its bridge or table")
	}
}

// TestAutoSubnetOnTheHost opens a root with no default subnet configured: it picks
// a /24 of AutoSubnetRange, keeps it across opens, and when an interface
// of the host takes it before the bridge goes up, picks another.
func TestAutoSubnetOnTheHost(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	tn.Opts.DefaultSubnet = ""
	m := openTestManager(t, tn)
	subnetOf := func(m *Manager) netip.Prefix {
		t.Helper()
		br, err := m.Inspect(NameBridge)
		if err != nil {
			t.Fatal(err)
		}
		p, _, _ := br.Subnet()
		return p
	}
	first := subnetOf(m)
	if !inAutoRange(first) {
		t.Fatalf("picked %s, outside %s", first, AutoSubnetRange)
	}
	again, err := Open(tn.Opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := subnetOf(again); got != first {
		t.Errorf("reopened: %s, was %s", got, first)
	}

	// Something else on the host takes the subnet.
	other := fmt.Sprintf("bd%x", tn.Pool.Addr().As4())
	link := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: other}}
	if err := netlink.LinkAdd(link); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink(other) })
	if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(first.Addr().Next(), 24))}); err != nil {
		t.Fatal(err)
	}
	c := startFake(t)
	att, err := m.Attach(AttachRequest{ContainerID: c.ID, NetNS: c.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	second := subnetOf(m)
	if second == first || !inAutoRange(second) || !second.Contains(att.IP) {
		t.Errorf("with %s taken: subnet %s, address %s", first, second, att.IP)
	}
	reopened, err := Open(tn.Opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := subnetOf(reopened); got != second {
		t.Errorf("reopened after the new pick: %s, want %s", got, second)
	}
	c.exec(t, "ping", "-c", "1", "-W", "2", att.Gateway.String())
}

// TestUserNetworkAutoSubnetOnTheHost: a user-defined network created
// without --subnet picks again when the host took its subnet before its
// bridge went up (another root's bridge, made in between), while one
// given its subnet is refused as before.
func TestUserNetworkAutoSubnetOnTheHost(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	n, err := m.Create(CreateOptions{Name: "picked"})
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := n.Subnet()
	other := fmt.Sprintf("bu%x", tn.Pool.Addr().As4())
	link := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: other}}
	if err := netlink.LinkAdd(link); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink(other) })
	if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(first.Addr().Next(), 24))}); err != nil {
		t.Fatal(err)
	}
	c := startFake(t)
	att, err := m.Attach(AttachRequest{Network: "picked", ContainerID: c.ID, NetNS: c.NetNS()})
	if err != nil {
		t.Fatalf("attach to a network whose picked subnet the host took: %v", err)
	}
	now, err := m.Inspect("picked")
	if err != nil {
		t.Fatal(err)
	}
	second, _, _ := now.Subnet()
	if second == first || !second.Contains(att.IP) || second.Overlaps(first) {
		t.Errorf("with %s taken: subnet %s, address %s", first, second, att.IP)
	}
	c.exec(t, "ping", "-c", "1", "-W", "2", att.Gateway.String())
}

// bridgeAlias is a link's alias, where berth marks its bridges' owner.
func bridgeAlias(t *testing.T, name string) string {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l.Attrs().Alias
}

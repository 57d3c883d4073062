package network

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestMasqueradeAndIsolation sends a container's traffic out of its bridge
// to an "outside" namespace made by the test (linked to the host by a
// veth pair of its own, and with no route back to the container's subnet):
// the answer arriving proves the masquerade, and the outside sees the
// host's address. A container on another berth network is out of reach,
// as docker isolates its networks.
func TestMasqueradeAndIsolation(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	a := startFake(t)
	attA, err := m.Attach(AttachRequest{ContainerID: a.ID, NetNS: a.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Release(a.ID) })

	// The outside: a /30 from the test's pool between the host and a
	// namespace of its own.
	hostEnd := tn.Pool.Addr().Next()
	outEnd := hostEnd.Next()
	outside := startFakeCmd(t, exec.Command("/proc/self/exe"), helperEnv+"=whoami")
	pool := tn.Pool.Addr().As4()
	vethOut := fmt.Sprintf("vo%x", pool[1:])
	linkOutside(t, vethOut, outside, netip.PrefixFrom(hostEnd, 30), netip.PrefixFrom(outEnd, 30))

	var seen string
	eventually(t, "connect from the container to the outside", func() error {
		out, err := a.run("nc", outEnd.String(), "8001")
		seen = strings.TrimSpace(out)
		if err != nil || seen == "" {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	if seen != hostEnd.String() {
		t.Errorf("the outside saw %s, want the host's %s (container is %s)", seen, hostEnd, attA.IP)
	}

	// Another network: b is reachable from its own network's gateway side
	// only, never from a.
	n, err := m.Create(CreateOptions{Name: "isolated", Subnet: tn.Spare})
	if err != nil {
		t.Fatal(err)
	}
	b := startFake(t)
	attB, err := m.Attach(AttachRequest{Network: n.Name, ContainerID: b.ID, NetNS: b.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Release(b.ID)
		m.Remove(n.Name)
	})
	if got := tableRules(t, tn.Opts.Table); got != 2 {
		t.Errorf("%d masquerade rules for two networks in use", got)
	}
	if out, err := a.run("ping", "-c", "1", "-W", "1", attB.IP.String()); err == nil {
		t.Errorf("a container on the default bridge reached one on another network:\n%s", out)
	}
	b.exec(t, "ping", "-c", "1", "-W", "2", attB.Gateway.String())
}

// linkOutside connects the namespace of f to the host with a veth pair:
// hostName with hostAddr on the host, eth0 with outAddr in f.
func linkOutside(t *testing.T, hostName string, f *fakeContainer, hostAddr, outAddr netip.Prefix) {
	t.Helper()
	fd, err := unix.Open(f.NetNS(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: hostName}, PeerName: "eth0", PeerNamespace: netlink.NsFd(fd)}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink(hostName) })
	if err := netlink.AddrAdd(veth, &netlink.Addr{IPNet: ipNet(hostAddr)}); err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		t.Fatal(err)
	}
	f.exec(t, "ip", "addr", "add", outAddr.String(), "dev", "eth0")
	f.exec(t, "ip", "link", "set", "eth0", "up")
}

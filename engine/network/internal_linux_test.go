package network

import (
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestInternalNetwork checks `network create --internal` as docker's: the
// network says Internal, its containers reach each other, and nothing is
// forwarded between its bridge and anything else, neither out (to an
// "outside" namespace the test made, which even has a route back to the
// internal subnet, so only the drop rule stands in the way) nor in. A
// container on the default bridge reaches the same outside, which shows
// the outside is there.
func TestInternalNetwork(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	n, err := m.Create(CreateOptions{Name: "inside", Subnet: tn.Spare, Internal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Remove(n.Name) })
	if got, err := m.Inspect("inside"); err != nil || !got.Internal {
		t.Fatalf("inspect of an internal network: Internal %v, %v", got != nil && got.Internal, err)
	}
	a, b, c := startFake(t), startFake(t), startFake(t)
	attA, err := m.Attach(AttachRequest{Network: n.Name, ContainerID: a.ID, Name: "a", NetNS: a.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Release(a.ID) })
	attB, err := m.Attach(AttachRequest{Network: n.Name, ContainerID: b.ID, Name: "b", NetNS: b.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Release(b.ID) })
	if _, err := m.Attach(AttachRequest{ContainerID: c.ID, Name: "c", NetNS: c.NetNS()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Release(c.ID) })
	if got := tableRules(t, tn.Opts.Table); got != 1 {
		t.Errorf("%d masquerade rules, want 1: the default bridge's, none for the internal network", got)
	}

	hostEnd := tn.Pool.Addr().Next()
	outEnd := hostEnd.Next()
	outside := startFakeCmd(t, exec.Command("/proc/self/exe"), helperEnv+"=whoami")
	pool := tn.Pool.Addr().As4()
	vethOut := fmt.Sprintf("vo%x", pool[1:])
	linkOutside(t, vethOut, outside, netip.PrefixFrom(hostEnd, 30), netip.PrefixFrom(outEnd, 30))
	outside.exec(t, "ip", "route", "add", tn.Spare, "via", hostEnd.String())

	eventually(t, "connect from the default bridge to the outside", func() error {
		out, err := c.run("nc", outEnd.String(), "8001")
		if err != nil || strings.TrimSpace(out) == "" {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	a.exec(t, "ping", "-c", "1", "-W", "2", attB.IP.String())
	b.exec(t, "ping", "-c", "1", "-W", "2", attA.IP.String())
	if out, err := a.run("nc", "-w", "2", outEnd.String(), "8001"); err == nil && strings.TrimSpace(out) != "" {
		t.Errorf("a container on an internal network reached the outside, which saw %q", out)
	}
	if out, err := outside.run("ping", "-c", "1", "-W", "1", attA.IP.String()); err == nil {
		t.Errorf("the outside reached a container on an internal network:\n%s", out)
	}
}

// TestInternalNetworkPorts: as docker 20.10's, a container on an internal
// network only keeps its gateway and default route but publishes no port
// and shows none (not even as exposed); on an internal and a normal
// network, it publishes through the normal one.
func TestInternalNetworkPorts(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	if _, err := m.Create(CreateOptions{Name: "inside", Subnet: tn.Spare, Internal: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Remove("inside") })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	s, err := m.NewSession(SessionSpec{
		ContainerID: newID(), Name: "web", Hostname: "web", Networks: []string{"inside"},
		PortBindings: map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1", HostPort: port}}},
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "443/tcp": {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := startFake(t)
	st, err := s.Connect(f.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Ports) != 0 {
		t.Errorf("ports of a container on an internal network: %v, want none", st.Ports)
	}
	if st.Networks["inside"].Gateway == "" {
		t.Errorf("no gateway on an internal network: %+v", st.Networks["inside"])
	}
	if out := f.exec(t, "ip", "route"); !strings.Contains(out, "default") {
		t.Errorf("no default route on an internal network:\n%s", out)
	}
	l, err = net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Errorf("port %s was taken for a container on an internal network: %v", port, err)
	} else {
		l.Close()
	}
	if err := s.Disconnect(); err != nil {
		t.Fatal(err)
	}

	s.SetNetworks([]string{"inside"}, []Connection{{Network: NameBridge}})
	g := startFake(t)
	st, err = s.Connect(g.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if bs := st.Ports["80/tcp"]; len(bs) != 1 || bs[0].HostPort != port {
		t.Errorf("ports with a normal network too: %v, want 80/tcp on %s", st.Ports, port)
	}
	if bs, ok := st.Ports["443/tcp"]; !ok || bs != nil {
		t.Errorf("exposed ports with a normal network too: %v, want 443/tcp", st.Ports)
	}
}

package network

import (
	"fmt"
	"net/netip"
	"os/exec"
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

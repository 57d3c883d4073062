package network

import (
	"errors"
	"strings"
	"testing"
)

func TestAttachDefaultBridge(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	a, b := startFake(t), startFake(t)

	attA, err := m.Attach(AttachRequest{ContainerID: a.ID, Name: "a", Hostname: "ahost", NetNS: a.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	attB, err := m.Attach(AttachRequest{ContainerID: b.ID, Name: "b", NetNS: b.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := attA.IP.String(), tn.Prefix+"2"; got != want {
		t.Errorf("first address %s, want %s", got, want)
	}
	if got, want := attB.IP.String(), tn.Prefix+"3"; got != want {
		t.Errorf("second address %s, want %s", got, want)
	}
	if !hasLink(tn.Opts.DefaultBridge) {
		t.Fatalf("bridge %s not created", tn.Opts.DefaultBridge)
	}
	addr := a.exec(t, "ip", "-4", "addr", "show", "eth0")
	if !strings.Contains(addr, tn.Prefix+"2/24") || !strings.Contains(addr, "UP") {
		t.Errorf("eth0 in container a:\n%s", addr)
	}
	if route := a.exec(t, "ip", "route"); !strings.Contains(route, "default via "+tn.Prefix+"1 dev eth0") {
		t.Errorf("routes in container a:\n%s", route)
	}
	if got := tableRules(t, tn.Opts.Table); got != 1 {
		t.Errorf("%d masquerade rules, want 1", got)
	}
	b.exec(t, "ping", "-c", "1", "-W", "2", attA.IP.String())

	if _, err := m.Attach(AttachRequest{ContainerID: a.ID, NetNS: a.NetNS()}); !errors.Is(err, ErrAttached) {
		t.Errorf("second attach of a: %v, want ErrAttached", err)
	}

	if err := m.Release(a.ID); err != nil {
		t.Fatal(err)
	}
	if err := m.Release(a.ID); err != nil {
		t.Errorf("second release: %v", err)
	}
	if hasLink(attA.HostVeth) {
		t.Errorf("veth %s left after release", attA.HostVeth)
	}
	if out := a.exec(t, "ip", "link"); strings.Contains(out, "eth0") {
		t.Errorf("eth0 still in container a:\n%s", out)
	}
	if !hasLink(tn.Opts.DefaultBridge) {
		t.Errorf("bridge removed while b is attached")
	}
	if err := m.Detach(NameBridge, b.ID); err != nil {
		t.Fatal(err)
	}
	// The bridge stays up, as docker0, until pruned.
	if !hasLink(tn.Opts.DefaultBridge) || tableRules(t, tn.Opts.Table) != 1 {
		t.Errorf("bridge or rule gone with the last container")
	}
	if removed, err := m.Prune(); err != nil || len(removed) != 0 {
		t.Fatalf("prune: %v, %v", removed, err)
	}
	if hasLink(tn.Opts.DefaultBridge) {
		t.Errorf("bridge left after prune")
	}
	if tableExists(t, tn.Opts.Table) {
		t.Errorf("nftables table left after prune")
	}
	if _, err := m.Inspect(NameBridge); err != nil {
		t.Errorf("prune removed the default network: %v", err)
	}
}

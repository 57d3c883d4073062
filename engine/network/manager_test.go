package network

import (
	"errors"
	"strings"
	"testing"
)

func TestPredefinedNetworks(t *testing.T) {
	tn := newTestNet(t)
	m, err := Open(tn.Opts)
	if err != nil {
		t.Fatal(err)
	}
	list, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range list {
		names = append(names, n.Name+"/"+n.Driver)
	}
	if got := strings.Join(names, " "); got != "bridge/bridge host/host none/null" {
		t.Fatalf("networks: %s", got)
	}
	br, err := m.Inspect(NameBridge)
	if err != nil {
		t.Fatal(err)
	}
	if br.IPAM.Config[0].Subnet != tn.Opts.DefaultSubnet || br.Bridge() != tn.Opts.DefaultBridge {
		t.Errorf("bridge network: %+v", br)
	}
	for _, name := range []string{NameBridge, NameHost, NameNone} {
		if err := m.Remove(name); !errors.Is(err, ErrPredefined) {
			t.Errorf("remove %s: %v, want ErrPredefined", name, err)
		}
	}
	// Reopening keeps the IDs; a new default subnet applies as nothing is attached.
	opts := tn.Opts
	opts.DefaultSubnet = tn.Prefix + "128/25"
	m2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	br2, err := m2.Inspect(NameBridge)
	if err != nil {
		t.Fatal(err)
	}
	if br2.ID != br.ID || br2.IPAM.Config[0].Subnet != opts.DefaultSubnet || br2.IPAM.Config[0].Gateway != tn.Prefix+"129" {
		t.Errorf("reopened bridge network: %+v", br2.IPAM)
	}
	// docker's bip: another gateway; and a default subnet over a user
	// network's is refused.
	opts.DefaultGateway = tn.Prefix + "254"
	if m2, err = Open(opts); err != nil {
		t.Fatal(err)
	}
	if br3, _ := m2.Inspect(NameBridge); br3.IPAM.Config[0].Gateway != opts.DefaultGateway {
		t.Errorf("gateway: %+v", br3.IPAM)
	}
	if _, err := m2.Create(CreateOptions{Name: "user", Subnet: tn.Spare}); err != nil {
		t.Fatal(err)
	}
	opts.DefaultSubnet, opts.DefaultGateway = tn.Spare, ""
	if _, err := Open(opts); !errors.Is(err, ErrOverlap) {
		t.Errorf("default subnet over a user network: %v", err)
	}
}

func TestCreateInspectRemove(t *testing.T) {
	tn := newTestNet(t)
	m, err := Open(tn.Opts)
	if err != nil {
		t.Fatal(err)
	}
	n, err := m.Create(CreateOptions{Name: "mynet", Subnet: tn.Pool.String(), Gateway: tn.Pool.Addr().Next().Next().String(),
		Labels: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Driver != DriverBridge || n.Bridge() != "br-"+n.ID[:12] || n.Labels["a"] != "b" || !n.UserDefined() {
		t.Errorf("created: %+v", n)
	}
	if _, gw, _ := n.Subnet(); gw.String() != tn.Pool.Addr().Next().Next().String() {
		t.Errorf("gateway %s", gw)
	}
	for _, ref := range []string{"mynet", n.ID, n.ID[:5]} {
		if got, err := m.Inspect(ref); err != nil || got.ID != n.ID {
			t.Errorf("inspect %q: %v, %v", ref, got, err)
		}
	}
	tests := []struct {
		name string
		opts CreateOptions
		want error
	}{
		{"same name", CreateOptions{Name: "mynet"}, ErrExists},
		{"a pre-defined name", CreateOptions{Name: "host"}, ErrExists},
		{"overlapping subnet", CreateOptions{Name: "other", Subnet: tn.Pool.String()}, ErrOverlap},
		{"overlapping the default", CreateOptions{Name: "other", Subnet: tn.Opts.DefaultSubnet}, ErrOverlap},
		{"bad name", CreateOptions{Name: "no/slash"}, ErrInvalidConfig},
		{"gateway without subnet", CreateOptions{Name: "other", Gateway: "10.1.1.1"}, ErrInvalidConfig},
		{"bridge name too long", CreateOptions{Name: "other", Subnet: tn.Spare, Bridge: "a-bridge-name-too-long"}, ErrInvalidConfig},
		{"bridge name taken", CreateOptions{Name: "other", Subnet: tn.Spare, Bridge: tn.Opts.DefaultBridge}, ErrExists},
		{"pool exhausted", CreateOptions{Name: "other"}, ErrNoAddress}, // mynet holds the whole test pool
	}
	for _, tt := range tests {
		if _, err := m.Create(tt.opts); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := m.Remove("mynet"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Inspect("mynet"); !errors.Is(err, ErrNotFound) {
		t.Errorf("inspect after rm: %v", err)
	}
	if err := m.Remove("mynet"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second rm: %v", err)
	}
	// Without a subnet the first free /24 of the pool.
	auto, err := m.Create(CreateOptions{Name: "auto", Bridge: "custombr"})
	if err != nil {
		t.Fatal(err)
	}
	if got := auto.IPAM.Config[0]; got.Subnet != tn.Pool.Addr().String()+"/24" || got.Gateway != tn.Pool.Addr().Next().String() || auto.Bridge() != "custombr" {
		t.Errorf("auto subnet: %+v, bridge %s", got, auto.Bridge())
	}
	auto2, err := m.Create(CreateOptions{Name: "auto2"})
	if err != nil {
		t.Fatal(err)
	}
	if auto2.IPAM.Config[0].Subnet == auto.IPAM.Config[0].Subnet {
		t.Errorf("two auto networks share %s", auto.IPAM.Config[0].Subnet)
	}
	removed, err := m.Prune()
	if err != nil || strings.Join(removed, " ") != "auto auto2" {
		t.Errorf("prune removed %v, %v", removed, err)
	}
	if list, _ := m.List(); len(list) != 3 {
		t.Errorf("after prune: %d networks, want the 3 pre-defined", len(list))
	}
}

func TestFindAmbiguous(t *testing.T) {
	recs := []*record{{Network: Network{Name: "x", ID: "abc1"}}, {Network: Network{Name: "y", ID: "abc2"}}}
	if _, err := find(recs, "abc"); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("prefix of two: %v", err)
	}
	if r, err := find(recs, "y"); err != nil || r.Network.ID != "abc2" {
		t.Errorf("by name: %v", err)
	}
	if _, err := find(recs, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty: %v", err)
	}
}

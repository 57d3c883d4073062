package network

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func TestNetworksFor(t *testing.T) {
	tests := map[string][]string{
		"": {"bridge"}, "bridge": {"bridge"}, "default": {"bridge"},
		"host": nil, "none": nil, "mynet": {"mynet"},
	}
	for mode, want := range tests {
		if got := NetworksFor(mode); !reflect.DeepEqual(got, want) {
			t.Errorf("NetworksFor(%q) = %v, want %v", mode, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	tn := newTestNet(t)
	m, err := Open(tn.Opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create(CreateOptions{Name: "user", Subnet: tn.Spare}); err != nil {
		t.Fatal(err)
	}
	spare := netip.MustParsePrefix(tn.Spare)
	web := map[string][]PortBinding{"80/tcp": {{HostPort: "8080"}}}
	tests := []struct {
		name string
		spec SessionSpec
		want error
	}{
		{"default bridge with a port", SessionSpec{Networks: NetworksFor(""), PortBindings: web}, nil},
		{"none", SessionSpec{Networks: NetworksFor("none")}, nil},
		{"user network, --ip and aliases", SessionSpec{Networks: []string{"user"}, IP: spare.Addr().Next().Next(), Aliases: []string{"db"}}, nil},
		{"-P with nothing exposed", SessionSpec{Networks: NetworksFor(""), PublishAll: true}, nil},
		{"unknown network", SessionSpec{Networks: []string{"nosuch"}}, ErrNotFound},
		{"host by name", SessionSpec{Networks: []string{"host"}}, ErrNotBridge},
		{"ports on none", SessionSpec{PortBindings: web}, ErrInvalidPort},
		{"-P on host", SessionSpec{PublishAll: true, ExposedPorts: map[string]struct{}{"80/tcp": {}}}, ErrInvalidPort},
		{"bad port", SessionSpec{Networks: NetworksFor(""), PortBindings: map[string][]PortBinding{"80/sctp": {{}}}}, ErrInvalidPort},
		{"--ip on the default bridge", SessionSpec{Networks: NetworksFor(""), IP: netip.MustParseAddr(tn.Prefix + "9")}, ErrInvalidConfig},
		{"--ip outside the subnet", SessionSpec{Networks: []string{"user"}, IP: netip.MustParseAddr(tn.Prefix + "9")}, ErrInvalidConfig},
		{"--ip is the gateway", SessionSpec{Networks: []string{"user"}, IP: spare.Addr().Next()}, ErrAddressInUse},
		{"alias on the default bridge", SessionSpec{Networks: NetworksFor(""), Aliases: []string{"db"}}, ErrInvalidConfig},
	}
	for _, tt := range tests {
		if err := m.Validate(tt.spec); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

package network

import (
	"errors"
	"net/netip"
	"testing"
)

func TestParseSubnet(t *testing.T) {
	tests := []struct {
		subnet, gateway string
		wantGW          string
		wantErr         error
	}{
		{"10.203.0.0/24", "", "10.203.0.1", nil},
		{"10.203.0.0/24", "10.203.0.254", "10.203.0.254", nil},
		{"192.168.7.0/30", "", "192.168.7.1", nil},
		{"10.203.0.1/24", "", "", ErrInvalidConfig},             // not canonical
		{"10.203.0.0/31", "", "", ErrInvalidConfig},             // too small
		{"fd00::/64", "", "", ErrInvalidConfig},                 // IPv6
		{"10.203.0.0", "", "", ErrInvalidConfig},                // no length
		{"10.203.0.0/24", "10.204.0.1", "", ErrInvalidConfig},   // outside
		{"10.203.0.0/24", "10.203.0.0", "", ErrInvalidConfig},   // network address
		{"10.203.0.0/24", "10.203.0.255", "", ErrInvalidConfig}, // broadcast
		{"10.203.0.0/24", "bogus", "", ErrInvalidConfig},
	}
	for _, tt := range tests {
		_, gw, err := parseSubnet(tt.subnet, tt.gateway)
		if !errors.Is(err, tt.wantErr) || (err == nil && gw.String() != tt.wantGW) {
			t.Errorf("parseSubnet(%q, %q) = %v, %v; want %s, %v", tt.subnet, tt.gateway, gw, err, tt.wantGW, tt.wantErr)
		}
	}
}

func TestBroadcast(t *testing.T) {
	for p, want := range map[string]string{
		"10.203.0.0/24": "10.203.0.255", "10.0.0.0/8": "10.255.255.255",
		"192.168.7.4/30": "192.168.7.7", "0.0.0.0/0": "255.255.255.255",
	} {
		if got := broadcast(netip.MustParsePrefix(p)).String(); got != want {
			t.Errorf("broadcast(%s) = %s, want %s", p, got, want)
		}
	}
}

func TestAllocate(t *testing.T) {
	a := netip.MustParseAddr
	subnet := netip.MustParsePrefix("10.1.2.0/29") // hosts .1-.6
	tests := []struct {
		name    string
		gateway string
		used    []string
		want    string
		wantErr error
	}{
		{"first after gateway", "10.1.2.1", nil, "10.1.2.2", nil},
		{"gateway elsewhere", "10.1.2.6", nil, "10.1.2.1", nil},
		{"skips used", "10.1.2.1", []string{"10.1.2.2", "10.1.2.3"}, "10.1.2.4", nil},
		{"fills a hole", "10.1.2.1", []string{"10.1.2.2", "10.1.2.4"}, "10.1.2.3", nil},
		{"full", "10.1.2.1", []string{"10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"}, "", ErrNoAddress},
	}
	for _, tt := range tests {
		used := map[netip.Addr]bool{}
		for _, u := range tt.used {
			used[a(u)] = true
		}
		got, err := allocate(subnet, a(tt.gateway), used)
		if !errors.Is(err, tt.wantErr) || (err == nil && got.String() != tt.want) {
			t.Errorf("%s: allocate = %v, %v; want %s, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCheckRequested(t *testing.T) {
	a := netip.MustParseAddr
	subnet := netip.MustParsePrefix("10.1.2.0/24")
	used := map[netip.Addr]bool{a("10.1.2.9"): true}
	tests := []struct {
		want    string
		wantErr error
	}{
		{"10.1.2.10", nil},
		{"10.1.2.9", ErrAddressInUse},
		{"10.1.2.1", ErrAddressInUse}, // the gateway
		{"10.1.2.0", ErrInvalidConfig},
		{"10.1.2.255", ErrInvalidConfig},
		{"10.1.3.5", ErrInvalidConfig},
	}
	for _, tt := range tests {
		if err := checkRequested(subnet, a("10.1.2.1"), a(tt.want), used); !errors.Is(err, tt.wantErr) {
			t.Errorf("checkRequested(%s) = %v, want %v", tt.want, err, tt.wantErr)
		}
	}
}

func TestPickSubnet(t *testing.T) {
	p := netip.MustParsePrefix
	pool := p("10.204.0.0/22")
	tests := []struct {
		taken   []netip.Prefix
		want    string
		wantErr error
	}{
		{nil, "10.204.0.0/24", nil},
		{[]netip.Prefix{p("10.204.0.0/24")}, "10.204.1.0/24", nil},
		{[]netip.Prefix{p("10.204.0.128/25"), p("10.204.1.0/24")}, "10.204.2.0/24", nil},
		{[]netip.Prefix{p("10.204.0.0/23"), p("10.0.0.0/8")}, "", ErrNoAddress}, // a host route over all of it
		{[]netip.Prefix{p("10.204.0.0/23"), p("10.204.2.0/23")}, "", ErrNoAddress},
	}
	for _, tt := range tests {
		got, err := pickSubnet(pool, 24, tt.taken)
		if !errors.Is(err, tt.wantErr) || (err == nil && got.String() != tt.want) {
			t.Errorf("pickSubnet(%v) = %v, %v; want %s, %v", tt.taken, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMacAddress(t *testing.T) {
	if got := macAddress(netip.MustParseAddr("10.203.0.2")).String(); got != "02:42:0a:cb:00:02" {
		t.Errorf("macAddress = %s", got)
	}
}

func TestVethName(t *testing.T) {
	a, b := vethName("net1", "c1"), vethName("net1", "c2")
	if len(a) > 15 || a == b || a != vethName("net1", "c1") {
		t.Errorf("vethName: %q, %q", a, b)
	}
}

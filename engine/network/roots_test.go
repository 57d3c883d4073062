package network

import (
	"net/netip"
	"strings"
	"testing"
)

// TestRootNames pins the names: a change would give every existing root
// a new bridge and table, leaving the old ones behind.
func TestRootNames(t *testing.T) {
	tests := []struct {
		root          string
		isDefault     bool
		bridge, table string
	}{
		{"/var/lib/berth", true, "berth0", "berth"},
		{"/srv/berth2", false, "berth-12a14cf0", "berth_12a14cf0"},
		{"/srv/berth2/", false, "berth-12a14cf0", "berth_12a14cf0"}, // the same root
		{"/srv/b", false, "berth-6294551d", "berth_6294551d"},
	}
	for _, tt := range tests {
		bridge, table := RootNames(tt.root, tt.isDefault)
		if bridge != tt.bridge || table != tt.table {
			t.Errorf("RootNames(%q, %v) = %s, %s; want %s, %s", tt.root, tt.isDefault, bridge, table, tt.bridge, tt.table)
		}
		if err := checkBridgeName(bridge); err != nil {
			t.Errorf("RootNames(%q): bridge %q: %v", tt.root, bridge, err)
		}
	}
}

func TestOwnerMark(t *testing.T) {
	long := "/" + strings.Repeat("d", 300)
	tests := []struct {
		alias     string
		ours      string
		wantOther string
		other     bool
	}{
		{ownerMark("/var/lib/berth"), ownerMark("/var/lib/berth"), "", false},
		{ownerMark("/var/lib/berth"), ownerMark("/srv/b"), "/var/lib/berth", true},
		{"", ownerMark("/srv/b"), "", false},              // unmarked: nobody's
		{"uplink to lab", ownerMark("/srv/b"), "", false}, // someone else's alias, not a root's
		{ownerMark(long), ownerMark(long), "", false},
		{ownerMark(long), ownerMark("/srv/b"), strings.TrimPrefix(ownerMark(long), "berth:"), true},
	}
	for _, tt := range tests {
		got, other := otherOwner(tt.alias, tt.ours)
		if got != tt.wantOther || other != tt.other {
			t.Errorf("otherOwner(%q, %q) = %q, %v; want %q, %v", tt.alias, tt.ours, got, other, tt.wantOther, tt.other)
		}
	}
	if m := ownerMark(long); len(m) > maxAlias || !strings.HasPrefix(m, "berth:sha256:") {
		t.Errorf("mark of a long root: %q", m)
	}
	if m := ownerMark("/srv/b/"); m != "berth:/srv/b" {
		t.Errorf("mark of /srv/b/: %q", m)
	}
}

func TestAutoSubnet(t *testing.T) {
	const root = "/srv/berth2" // starts looking at 10.203.241.0/24
	p := netip.MustParsePrefix
	tests := []struct {
		name  string
		taken []netip.Prefix
		want  string
	}{
		{"nothing taken: the root's own place", nil, "10.203.241.0/24"},
		{"its place taken: the next /24", []netip.Prefix{p("10.203.241.0/24")}, "10.203.242.0/24"},
		{"the rest of the range taken: around to the start", []netip.Prefix{p("10.203.240.0/20")}, "10.203.1.0/24"},
		{"never the default root's", []netip.Prefix{p("10.203.2.0/23"), p("10.203.4.0/22"), p("10.203.8.0/21"),
			p("10.203.16.0/20"), p("10.203.32.0/19"), p("10.203.64.0/18"), p("10.203.128.0/17"), p("10.203.1.0/24")}, ""},
		{"a host subnet over all of it", []netip.Prefix{p("10.0.0.0/8")}, ""},
	}
	for _, tt := range tests {
		got, err := autoSubnet(root, tt.taken)
		switch {
		case tt.want == "" && (err == nil || !strings.Contains(err.Error(), `set "bip" in the config`)):
			t.Errorf("%s: %s, %v; want an error naming the setting", tt.name, got, err)
		case tt.want != "" && (err != nil || got.String() != tt.want):
			t.Errorf("%s: %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestInAutoRange(t *testing.T) {
	tests := map[string]bool{
		"10.203.7.0/24": true, "10.203.255.0/24": true,
		"10.203.0.0/24": false, // the default root's
		"10.203.4.0/23": false, "10.204.0.0/24": false, "192.168.1.0/24": false,
	}
	for s, want := range tests {
		if got := inAutoRange(netip.MustParsePrefix(s)); got != want {
			t.Errorf("inAutoRange(%s) = %v", s, got)
		}
	}
}

func TestHostOverlap(t *testing.T) {
	addrs := []hostAddress{
		{netip.MustParsePrefix("127.0.0.1/8"), "lo"},
		{netip.MustParsePrefix("192.168.1.7/24"), "eth0"},
		{netip.MustParsePrefix("10.203.0.1/24"), "berth0"},
	}
	tests := []struct {
		subnet, bridge string
		want           string // the link whose address overlaps; "" none
	}{
		{"10.203.0.0/24", "berth-12a14cf0", "berth0"}, // the default root's bridge is up
		{"10.203.0.0/24", "berth0", ""},               // its own address
		{"10.203.0.128/25", "x", "berth0"},
		{"10.203.5.0/24", "x", ""},
		{"192.168.0.0/16", "x", "eth0"},
		{"10.0.0.0/8", "x", "berth0"},
	}
	for _, tt := range tests {
		a, ok := hostOverlap(netip.MustParsePrefix(tt.subnet), tt.bridge, addrs)
		if a.Link != tt.want || ok != (tt.want != "") {
			t.Errorf("hostOverlap(%s, %s) = %v, %v; want %q", tt.subnet, tt.bridge, a, ok, tt.want)
		}
	}
}

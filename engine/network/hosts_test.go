package network

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostsFor(t *testing.T) {
	a := netip.MustParseAddr
	user := &record{Network: Network{Name: "mynet", Driver: DriverBridge}, Endpoints: map[string]*endpoint{
		"c1": {Name: "api", Hostname: "c1host", Aliases: []string{"backend"}, IP: a("10.9.0.2")},
		"c2": {Name: "web", Hostname: "c2host", IP: a("10.9.0.3")},
	}}
	deflt := &record{Network: Network{Name: NameBridge, Driver: DriverBridge}, Endpoints: map[string]*endpoint{
		"c1": {Name: "api", Hostname: "c1host", IP: a("10.203.0.5")},
		"c3": {Name: "other", Hostname: "c3host", IP: a("10.203.0.6")},
	}}
	recs := []*record{deflt, user}
	tests := []struct {
		name, id, hostname string
		want               string
	}{
		{"on a user network: peers by name, alias and hostname", "c2", "c2host",
			"10.9.0.3\tc2host web\n10.9.0.2\tapi backend c1host\n"},
		{"on both: own lines for each, peers of the user network only", "c1", "c1host",
			"10.203.0.5\tc1host\n10.9.0.2\tc1host api backend\n10.9.0.3\tweb c2host\n"},
		{"default bridge only: no peers, as docker", "c3", "c3host",
			"10.203.0.6\tc3host\n"},
		{"on no network", "gone", "gonehost",
			"127.0.1.1\tgonehost\n"},
	}
	for _, tt := range tests {
		got := string(hostsFor(recs, tt.id, &endpoint{Hostname: tt.hostname}))
		if !strings.HasPrefix(got, hostsHeader) || strings.TrimPrefix(got, hostsHeader) != tt.want {
			t.Errorf("%s:\n%s\nwant after the header:\n%s", tt.name, got, tt.want)
		}
	}
}

func TestWriteInPlace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "hosts")
	if err := os.WriteFile(p, []byte("a much longer old content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	if err := writeInPlace(p, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if b, _ := os.ReadFile(p); string(b) != "new\n" || !os.SameFile(before, after) {
		t.Errorf("content %q, same inode %v", b, os.SameFile(before, after))
	}
	if err := writeInPlace(filepath.Join(dir, "gone"), []byte("x")); err != nil {
		t.Errorf("missing file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone")); err == nil {
		t.Errorf("a missing hosts file was created")
	}
}

func TestHostsExtraAndDomain(t *testing.T) {
	a := netip.MustParseAddr
	ep := &endpoint{Name: "api", Hostname: "h", Domainname: "example.org", IP: a("10.9.0.2"),
		ExtraHosts: resolveGateway([]HostEntry{{IP: "10.1.2.3", Names: []string{"db"}}, {IP: HostGateway, Names: []string{"gw"}}}, a("10.9.0.1"))}
	recs := []*record{{Network: Network{Name: NameBridge, Driver: DriverBridge}, Endpoints: map[string]*endpoint{"c1": ep}}}
	want := "10.1.2.3\tdb\n10.9.0.1\tgw\n10.9.0.2\th.example.org h\n"
	if got := strings.TrimPrefix(string(hostsFor(recs, "c1", nil)), hostsHeader); got != want {
		t.Errorf("on a network:\n%s\nwant\n%s", got, want)
	}
	// Leaving its last network keeps the extra lines and the names.
	want = "10.1.2.3\tdb\n10.9.0.1\tgw\n127.0.1.1\th.example.org h\n"
	if got := strings.TrimPrefix(string(hostsFor(nil, "c1", ep)), hostsHeader); got != want {
		t.Errorf("on no network:\n%s\nwant\n%s", got, want)
	}
	// Before any network, host-gateway has nothing to stand for.
	want = "127.0.1.1\th\n"
	if got := strings.TrimPrefix(string(HostsFile("h", "", []HostEntry{{IP: HostGateway, Names: []string{"gw"}}})), hostsHeader); got != want {
		t.Errorf("HostsFile:\n%s\nwant\n%s", got, want)
	}
}

package engine

import (
	"slices"
	"testing"
)

func TestParseExtraHost(t *testing.T) {
	tests := []struct {
		in, host, ip, err string
	}{
		{"db:10.1.2.3", "db", "10.1.2.3", ""},
		{"gw:host-gateway", "gw", "host-gateway", ""},
		{"v6:::1", "v6", "::1", ""},
		{"v6:2001:db8::1", "v6", "2001:db8::1", ""},
		{"v6:[2001:db8::1]", "v6", "2001:db8::1", ""},
		{"nocolon", "", "", `bad format for add-host: "nocolon"`},
		{":10.1.2.3", "", "", `bad format for add-host: ":10.1.2.3"`},
		{"a b:10.1.2.3", "", "", `bad format for add-host: "a b:10.1.2.3"`},
		{"db:10.1.2", "", "", `invalid IP address in add-host: "10.1.2"`},
		{"db:", "", "", `invalid IP address in add-host: ""`},
		{"db:fe80::1%eth0", "", "", `invalid IP address in add-host: "fe80::1%eth0"`},
	}
	for _, tt := range tests {
		host, ip, err := ParseExtraHost(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseExtraHost(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || host != tt.host || ip != tt.ip {
			t.Errorf("ParseExtraHost(%q) = %q, %q, %v; want %q, %q", tt.in, host, ip, err, tt.host, tt.ip)
		}
	}
}

func TestDNSChecks(t *testing.T) {
	for _, tt := range []struct {
		check func(string) error
		in    string
		ok    bool
	}{
		{CheckDNS, "10.0.0.53", true}, {CheckDNS, "2001:db8::53", true}, {CheckDNS, "ns1", false}, {CheckDNS, "", false},
		{CheckDNSSearch, "example.com", true}, {CheckDNSSearch, "example.com.", true}, {CheckDNSSearch, ".", true},
		{CheckDNSSearch, "-bad.com", false}, {CheckDNSSearch, "a b", false}, {CheckDNSSearch, "", false},
		{CheckDNSOption, "ndots:2", true}, {CheckDNSOption, "edns0", true}, {CheckDNSOption, "a b", false},
		{CheckDNSOption, "x\nnameserver 1.2.3.4", false}, {CheckDNSOption, "", false},
	} {
		if err := tt.check(tt.in); (err == nil) != tt.ok {
			t.Errorf("check %q: %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestParseMAC(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"92:d0:c6:0a:29:33", true}, {"02-42-ac-11-00-02", true},
		{"92:d0:c6", false}, {"01:00:5e:00:00:01", false}, // multicast
		{"00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", false}, {"zz:d0:c6:0a:29:33", false},
	} {
		if _, err := ParseMAC(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseMAC(%q): %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestNamespaceModes(t *testing.T) {
	for _, tt := range []struct {
		check func(string) error
		in    string
		ok    bool
	}{
		{CheckPidMode, "", true}, {CheckPidMode, "host", true}, {CheckPidMode, "container:web", true},
		{CheckPidMode, "container:", false}, {CheckPidMode, "private", false},
		{CheckIpcMode, "", true}, {CheckIpcMode, "private", true}, {CheckIpcMode, "shareable", true},
		{CheckIpcMode, "none", true}, {CheckIpcMode, "host", true}, {CheckIpcMode, "container:db", true},
		{CheckIpcMode, "container:", false}, {CheckIpcMode, "public", false},
		{CheckUTSMode, "", true}, {CheckUTSMode, "host", true}, {CheckUTSMode, "container:web", false},
	} {
		if err := tt.check(tt.in); (err == nil) != tt.ok {
			t.Errorf("mode %q: %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
	got := sharedNamespaces(HostConfig{PidMode: "host", IpcMode: "private", UTSMode: "host", NetworkMode: "container:abc"})
	if want := []string{"pid", "uts", "net"}; !slices.Equal(got, want) {
		t.Errorf("sharedNamespaces = %v, want %v", got, want)
	}
	if got := sharedNamespaces(HostConfig{IpcMode: "private", NetworkMode: "bridge"}); got != nil {
		t.Errorf("no flags share %v; want nothing shared", got)
	}
}

func TestParseLink(t *testing.T) {
	for _, tt := range []struct{ in, name, alias string }{
		{"web", "web", "web"}, {"web:w", "web", "w"}, {"/web:w", "web", "w"}, {"bad name", "", ""}, {":w", "", ""},
	} {
		name, alias, err := ParseLink(tt.in)
		if (err == nil) != (tt.name != "") || name != tt.name || alias != tt.alias {
			t.Errorf("ParseLink(%q) = %q, %q, %v", tt.in, name, alias, err)
		}
	}
}

func TestResolvConfFor(t *testing.T) {
	host := "# generated\nsearch corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\noptions edns0\n"
	tests := []struct {
		name                 string
		host                 string
		dns, search, options []string
		want                 string
	}{
		{"host's, loopback dropped", host, nil, nil, nil,
			"# generated\nsearch corp.example\nnameserver 10.0.0.2\noptions edns0\n"},
		{"only loopback: Google's", "nameserver 127.0.0.1\n", nil, nil, nil,
			"nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{"--dns keeps the host's search and options", host, []string{"10.9.9.9"}, nil, nil,
			"search corp.example\nnameserver 10.9.9.9\noptions edns0\n"},
		{"--dns-search . empties the search list", host, nil, []string{"."}, []string{"ndots:2"},
			"nameserver 10.0.0.2\noptions ndots:2\n"},
		{"all three", "", []string{"1.1.1.1", "2001:db8::53"}, []string{"a.example", "b.example"}, []string{"ndots:1", "rotate"},
			"search a.example b.example\nnameserver 1.1.1.1\nnameserver 2001:db8::53\noptions ndots:1 rotate\n"},
		{"--dns-option on an empty host file", "", nil, nil, []string{"ndots:3"},
			"nameserver 8.8.8.8\nnameserver 8.8.4.4\noptions ndots:3\n"},
	}
	for _, tt := range tests {
		if got := string(resolvConfFor([]byte(tt.host), tt.dns, tt.search, tt.options)); got != tt.want {
			t.Errorf("%s:\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestLinkVars(t *testing.T) {
	got := linkVars("/app/my-db", "10.0.0.5", map[string]struct{}{"5432/tcp": {}, "53/udp": {}},
		[]string{"PATH=/bin", "HOME=/root", "PGDATA=/data", "EMPTY="})
	want := []string{
		"MY_DB_PORT=udp://10.0.0.5:53",
		"MY_DB_PORT_53_UDP=udp://10.0.0.5:53", "MY_DB_PORT_53_UDP_ADDR=10.0.0.5", "MY_DB_PORT_53_UDP_PORT=53", "MY_DB_PORT_53_UDP_PROTO=udp",
		"MY_DB_PORT_5432_TCP=tcp://10.0.0.5:5432", "MY_DB_PORT_5432_TCP_ADDR=10.0.0.5", "MY_DB_PORT_5432_TCP_PORT=5432", "MY_DB_PORT_5432_TCP_PROTO=tcp",
		"MY_DB_NAME=/app/my-db",
		"MY_DB_ENV_PGDATA=/data", "MY_DB_ENV_EMPTY=",
	}
	if !slices.Equal(got, want) {
		t.Errorf("linkVars:\n%q\nwant\n%q", got, want)
	}
}

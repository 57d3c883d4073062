package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/network"
)

func networksFixture() []*network.Network {
	created := time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC)
	return []*network.Network{
		{Name: "none", ID: strings.Repeat("3", 64), Driver: "null", Scope: "local", Created: created},
		{Name: "bridge", ID: strings.Repeat("1", 64), Driver: "bridge", Scope: "local", Created: created,
			IPAM:    network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: "10.203.0.0/24", Gateway: "10.203.0.1"}}},
			Options: map[string]string{network.BridgeNameOption: "berth0"}},
		{Name: "host", ID: strings.Repeat("2", 64), Driver: "host", Scope: "local", Created: created},
		{Name: "mynet", ID: strings.Repeat("4", 64), Driver: "bridge", Scope: "local", Created: created, Labels: map[string]string{"team": "core"},
			IPAM: network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: "10.204.0.0/24", Gateway: "10.204.0.1"}}}},
	}
}

func TestNetworkCommands(t *testing.T) {
	eng := &fakeEngine{networks: fakeNetworks{list: networksFixture()}}
	sys := testSystem(eng)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"network_ls", []string{"network", "ls"}},
		{"network_ls_custom", []string{"network", "ls", "-f", "type=custom", "--format", `table {{.Name}}\t{{.Subnet}}\t{{.Gateway}}\t{{.Labels}}`}},
		{"network_ls_quiet_no_trunc", []string{"network", "ls", "-q", "--no-trunc", "-f", "driver=bridge"}},
		{"network_ls_json", []string{"network", "ls", "--format", "json", "-f", "name=my"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, sys, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d err %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}

	r := runCLI(t, sys, "network", "inspect", "mynet", "nope")
	var got []network.Network
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 || got[0].Name != "mynet" || r.code != 1 || !strings.Contains(r.stderr, "network not found: nope") {
		t.Errorf("network inspect: code %d out %q err %q (%v)", r.code, r.stdout, r.stderr, err)
	}
	if r := runCLI(t, sys, "network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "bridge"); r.stdout != "10.203.0.0/24\n" {
		t.Errorf("network inspect -f: %q %q", r.stdout, r.stderr)
	}

	r = runCLI(t, sys, "network", "create", "--subnet", "10.205.0.0/24", "--gateway", "10.205.0.254", "--internal", "--label", "a=b", "-o", "com.docker.network.bridge.name=br-api", "api")
	if r.code != 0 || r.stdout != strings.Repeat("e", 64)+"\n" {
		t.Errorf("network create: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	want := network.CreateOptions{Name: "api", Subnet: "10.205.0.0/24", Gateway: "10.205.0.254", Bridge: "br-api", Internal: true, Labels: map[string]string{"a": "b"}}
	if got := eng.networks.created[0]; got.Name != want.Name || got.Subnet != want.Subnet || got.Gateway != want.Gateway || got.Bridge != want.Bridge || !got.Internal || got.Labels["a"] != "b" {
		t.Errorf("create options %+v", got)
	}
	for _, bad := range [][]string{
		{"network", "create", "-d", "overlay", "x"},
		{"network", "create", "-o", "mtu=1400", "x"},
		{"network", "ls", "-f", "colour"},
		{"network", "bogus"},
	} {
		if r := runCLI(t, sys, bad...); r.code != 125 {
			t.Errorf("berth %s: code %d err %q", strings.Join(bad, " "), r.code, r.stderr)
		}
	}
	// Filters docker's daemon refuses: exit 1.
	for _, bad := range [][]string{
		{"network", "ls", "-f", "type=odd"},
		{"network", "ls", "-f", "colour=red"},
	} {
		if r := runCLI(t, sys, bad...); r.code != 1 || !strings.Contains(r.stderr, "invalid filter") {
			t.Errorf("berth %s: code %d err %q", strings.Join(bad, " "), r.code, r.stderr)
		}
	}
	if r := runCLI(t, sys, "network", "rm", "api", "nope"); r.code != 1 || r.stdout != "api\n" || !strings.Contains(r.stderr, "network not found: nope") {
		t.Errorf("network rm: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, sys, "network", "prune", "-f"); r.code != 0 || r.stdout != "Deleted Networks:\nold\n" {
		t.Errorf("network prune: code %d out %q", r.code, r.stdout)
	}
}

func TestPort(t *testing.T) {
	web := newContainer(strings.Repeat("a", 64), "web", engine.StatusRunning)
	web.NetworkSettings = &network.Settings{Ports: map[string][]network.PortBinding{
		"80/tcp":  {{HostPort: "8080"}, {HostIP: "::", HostPort: "8080"}},
		"53/udp":  {{HostIP: "127.0.0.1", HostPort: "5353"}},
		"443/tcp": nil,
	}}
	stopped := newContainer(strings.Repeat("b", 64), "stopped", engine.StatusExited)
	sys := testSystem(&fakeEngine{containers: []*engine.Container{web, stopped}})
	if r := runCLI(t, sys, "port", "web"); r.code != 0 || r.stdout != "53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n" {
		t.Errorf("port web: code %d out %q", r.code, r.stdout)
	}
	if r := runCLI(t, sys, "port", "web", "80"); r.stdout != "0.0.0.0:8080\n[::]:8080\n" {
		t.Errorf("port web 80: %q", r.stdout)
	}
	if r := runCLI(t, sys, "port", "web", "443/tcp"); r.code != 1 || !strings.Contains(r.stderr, "no public port '443/tcp' published for web") {
		t.Errorf("port web 443: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "port", "stopped"); r.code != 0 || r.stdout != "" {
		t.Errorf("port of a stopped container: code %d out %q", r.code, r.stdout)
	}
}

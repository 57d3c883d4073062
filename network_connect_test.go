package main

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bridgePorts lists the interfaces enslaved to network's bridge: the
// host ends of its members' veths, and only this test's (the whole host's
// list changes with every test running beside it).
func bridgePorts(t *testing.T, b *berthEnv, network string) []string {
	t.Helper()
	bridge := strings.TrimSpace(b.must("network", "inspect", "-f", `{{index .Options "com.docker.network.bridge.name"}}`, network))
	if bridge == "" && b.api != nil {
		// dockerd's inspect, as the API's, leaves out the bridge name it
		// derived from the ID: br-<the ID's first 12>.
		bridge = "br-" + strings.TrimSpace(b.must("network", "inspect", "-f", "{{.Id}}", network))[:12]
	}
	entries, err := os.ReadDir(filepath.Join("/sys/class/net", bridge, "brif"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestNetworkConnectRunning: a running container joins a second network
// with an alias its members resolve, shows it in both inspects, and
// leaves it without a veth, an address or an endpoint left behind.
func TestNetworkConnectRunning(t *testing.T) {
	b := newBerthEnv(t)
	b.must("network", "create", "n1")
	b.must("run", "--pull", "never", "-d", "--name", "a", "busybox", "sleep", "300")
	b.must("run", "--pull", "never", "-d", "--name", "peer", "--network", "n1", "busybox", "sleep", "300")
	before := bridgePorts(t, b, "n1")

	b.must("network", "connect", "--alias", "web", "n1", "a")
	ip := strings.TrimSpace(b.must("inspect", "-f", "{{(index .NetworkSettings.Networks \"n1\").IPAddress}}", "a"))
	subnet := strings.TrimSpace(b.must("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "n1"))
	if _, cidr, err := net.ParseCIDR(subnet); err != nil || !cidr.Contains(net.ParseIP(ip)) {
		t.Fatalf("address on n1 %q, want one in %s", ip, subnet)
	}
	if out := b.must("exec", "a", "ip", "-4", "-o", "addr", "show", "eth1"); !strings.Contains(out, ip+"/") {
		t.Errorf("eth1 in the container: %q, want %s", out, ip)
	}
	if out := b.must("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", "n1"); !strings.Contains(out, "a ") {
		t.Errorf("network inspect n1 lists %q, want a", out)
	}
	if out := b.must("exec", "peer", "ping", "-c", "1", "-W", "2", "web"); !strings.Contains(out, ip) {
		t.Errorf("ping web from a member of n1: %q, want %s", out, ip)
	}
	b.wantFail(t, 1, "already exists in network n1", "network", "connect", "n1", "a")

	b.must("network", "disconnect", "n1", "a")
	if out, code := b.exitOf("exec", "a", "ip", "link", "show", "eth1"); code == 0 {
		t.Errorf("eth1 still in the container: %s", out)
	}
	if out := b.must("inspect", "-f", "{{len .NetworkSettings.Networks}}", "a"); out != "1\n" {
		t.Errorf("networks after disconnect: %s", out)
	}
	if out := b.must("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", "n1"); strings.Contains(out, "a ") {
		t.Errorf("network inspect n1 still lists a: %q", out)
	}
	if after := bridgePorts(t, b, "n1"); !slices.Equal(before, after) {
		t.Errorf("n1's bridge ports after connect and disconnect: %v, before %v", after, before)
	}
	b.wantFail(t, 1, "is not connected to network n1", "network", "disconnect", "n1", "a")
	b.must("network", "disconnect", "-f", "n1", "a")
	b.must("run", "--pull", "never", "-d", "--name", "h", "--network", "host", "busybox", "sleep", "300")
	b.wantFail(t, 1, "cannot be connected to any other network", "network", "connect", "n1", "h")
}

// TestNetworkConnectStopped: a created container keeps the network in its
// record and joins it at start, with the address asked for.
func TestNetworkConnectStopped(t *testing.T) {
	b := newBerthEnv(t)
	b.must("network", "create", "--subnet", "10.231.77.0/24", "n2")
	b.must("create", "--pull", "never", "--name", "s", "busybox", "sleep", "300")
	b.must("network", "connect", "--ip", "10.231.77.9", "n2", "s")
	b.must("start", "s")
	if out := b.must("exec", "s", "ip", "-4", "-o", "addr", "show", "eth1"); !strings.Contains(out, "10.231.77.9/24") {
		t.Errorf("eth1 after start: %q, want 10.231.77.9/24", out)
	}
	if out := b.must("inspect", "-f", "{{(index .NetworkSettings.Networks \"n2\").IPAddress}}", "s"); out != "10.231.77.9\n" {
		t.Errorf("inspect: %q", out)
	}
	b.must("rm", "-f", "s")
	if out := b.must("network", "inspect", "-f", "{{len .Containers}}", "n2"); out != "0\n" {
		t.Errorf("n2 members after rm: %s", out)
	}
}

// TestNetworkDisconnectOwn: a container leaves the network of its
// --network, stays off it across a restart, and comes back with connect.
func TestNetworkDisconnectOwn(t *testing.T) {
	b := newBerthEnv(t)
	b.must("network", "create", "n3")
	b.must("run", "--pull", "never", "-d", "--name", "a", "busybox", "sleep", "300")
	b.must("network", "connect", "n3", "a")
	b.must("network", "disconnect", "bridge", "a")
	if out := b.must("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "a"); out != "n3 \n" {
		t.Errorf("networks after leaving bridge: %q", out)
	}
	b.must("restart", "-t", "0", "a")
	if out := b.must("exec", "a", "sh", "-c", "ls /sys/class/net | sort | tr '\\n' ' '"); out != "eth0 lo " {
		t.Errorf("interfaces after restart: %q, want eth0 (n3) and lo", out)
	}
	if out := b.must("network", "inspect", "-f", "{{len .Containers}}", "bridge"); out != "0\n" {
		t.Errorf("bridge members after restart: %s", out)
	}
	b.must("network", "connect", "bridge", "a")
	if out := b.must("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "a"); out != "bridge n3 \n" {
		t.Errorf("networks after connecting bridge again: %q", out)
	}
}

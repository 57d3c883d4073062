package main

import (
	"os"
	"strings"
	"testing"
)

// Real containers with docker's flags of name resolution and shared
// namespaces: --add-host, --dns*, --domainname, --mac-address, --link,
// --pid, --ipc, --uts, --network container:NAME.

// TestRunNameResolutionFlags: the flags end up in the container's
// /etc/hosts, /etc/resolv.conf, UTS namespace and eth0, and in inspect.
func TestRunNameResolutionFlags(t *testing.T) {
	b := newBerthEnv(t)
	out := b.must("run", "--pull", "never", "--rm", "-h", "box", "--add-host", "db:10.1.2.3", "--add-host", "gw:host-gateway",
		"--add-host", "v6:2001:db8::1", "--dns", "10.0.0.53", "--dns-search", "example.com", "--dns-option", "ndots:2",
		"--domainname", "example.org", "--mac-address", "92:d0:c6:0a:29:33", "busybox", "sh", "-c",
		"cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; cat /proc/sys/kernel/domainname; cat /sys/class/net/eth0/address")
	parts := strings.Split(out, "---\n")
	if len(parts) != 3 {
		t.Fatalf("output %q", out)
	}
	gw := strings.TrimSpace(b.must("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", "bridge"))
	for _, line := range []string{"10.1.2.3\tdb\n", gw + "\tgw\n", "2001:db8::1\tv6\n", "\tbox.example.org box\n"} {
		if !strings.Contains(parts[0], line) {
			t.Errorf("/etc/hosts lacks %q:\n%s", line, parts[0])
		}
	}
	if want := "search example.com\nnameserver 10.0.0.53\noptions ndots:2\n"; parts[1] != want {
		t.Errorf("/etc/resolv.conf:\n%s\nwant\n%s", parts[1], want)
	}
	if want := "example.org\n92:d0:c6:0a:29:33\n"; parts[2] != want {
		t.Errorf("domainname and MAC: %q, want %q", parts[2], want)
	}

	b.must("create", "--pull", "never", "--name", "c", "--add-host", "db:10.1.2.3", "--dns", "10.0.0.53",
		"--dns-search", "example.com", "--dns-option", "ndots:2", "--domainname", "example.org", "--mac-address", "92:d0:c6:0a:29:33", "busybox", "true")
	got := b.must("inspect", "-f", "{{json .HostConfig.ExtraHosts}} {{json .HostConfig.Dns}} {{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}} {{.Config.Domainname}} {{.Config.MacAddress}} {{.HostConfig.IpcMode}}", "c")
	if want := `["db:10.1.2.3"] ["10.0.0.53"] ["example.com"] ["ndots:2"] example.org 92:d0:c6:0a:29:33 private` + "\n"; got != want {
		t.Errorf("inspect: %q, want %q", got, want)
	}
}

// TestRunNameResolutionRefusals: bad values and docker's conflicts exit
// 125 and leave no container.
func TestRunNameResolutionRefusals(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "--pull", "never", "-d", "--name", "donor", "busybox", "sleep", "300")
	b.must("create", "--pull", "never", "--name", "hostnet", "--network", "host", "busybox", "true")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--add-host", "db"}, "bad format for add-host"},
		{[]string{"--dns", "ns1"}, "ns1 is not an ip address"},
		{[]string{"--mac-address", "01:00:5e:00:00:01"}, "is not a valid mac address"},
		{[]string{"--ipc", "public"}, "--ipc: invalid IPC mode"},
		{[]string{"--uts", "host", "-h", "x"}, "conflicting options: hostname and the UTS mode"},
		{[]string{"--network", "container:donor", "-p", "80"}, "conflicting options: port publishing and the container type network mode"},
		{[]string{"--network", "container:donor", "-h", "x"}, "conflicting options: hostname and the network mode"},
		{[]string{"--network", "container:donor", "--dns", "10.0.0.53"}, "conflicting options: dns and the network mode"},
		{[]string{"--network", "container:nosuch"}, "no such container"},
		{[]string{"--network", "host", "--link", "donor"}, "host type networking can't be used with links"},
		{[]string{"--link", "nosuch:x"}, "could not get container for nosuch"},
		{[]string{"--ipc", "container:donor"}, "non-shareable IPC"},
		{[]string{"--network", "container:hostnet"}, "it shares another's network (--network host)"},
		{[]string{"--ipc", "host", "--sysctl", "kernel.shmmax=1"}, "shares its IPC namespace"},
		{[]string{"--network", "host", "--sysctl", "net.ipv4.ip_forward=1"}, "not allowed in host network namespace"},
	} {
		if b.api != nil && tt.want == "host type networking can't be used with links" {
			tt.want = "links are only supported for user-defined networks" // the docker CLI's own check
		}
		args := append(append([]string{"run", "--pull", "never", "--rm"}, tt.args...), "busybox", "true")
		b.wantFail(t, 125, tt.want, args...)
	}
	if got := strings.Fields(b.must("ps", "-aq")); len(got) != 2 {
		t.Errorf("containers after refused runs: %v, want the donor and hostnet only", got)
	}
}

// TestRunIpcNone: --ipc none gives the container no /dev/shm, as
// docker's; the default gives it its own.
func TestRunIpcNone(t *testing.T) {
	b := newBerthEnv(t)
	check := "if [ -d /dev/shm ]; then echo shm; else echo none; fi"
	if got := b.must("run", "--pull", "never", "--rm", "--ipc", "none", "busybox", "sh", "-c", check); got != "none\n" {
		t.Errorf("--ipc none: %q, want no /dev/shm", got)
	}
	if got := b.must("run", "--pull", "never", "--rm", "busybox", "sh", "-c", check); got != "shm\n" {
		t.Errorf("default IPC: %q, want a /dev/shm", got)
	}
}

// TestRunSharedNamespaces: --network, --pid and --ipc container:NAME
// enter that container's namespaces, --pid/--ipc/--uts host the host's,
// and without a flag every namespace is the container's own.
func TestRunSharedNamespaces(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "--pull", "never", "-d", "--name", "donor", "--ipc", "shareable", "busybox", "sleep", "300")
	ns := func(args ...string) map[string]string {
		t.Helper()
		args = append(append([]string{"run", "--pull", "never", "--rm"}, args...), "busybox", "sh", "-c",
			"for n in net pid ipc uts; do echo $n $(readlink /proc/self/ns/$n); done")
		out := b.must(args...)
		m := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			k, v, _ := strings.Cut(line, " ")
			m[k] = v
		}
		return m
	}
	host := map[string]string{}
	for _, n := range []string{"net", "pid", "ipc", "uts"} {
		l, err := os.Readlink("/proc/self/ns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		host[n] = l
	}
	donorPid := strings.TrimSpace(b.must("inspect", "-f", "{{.State.Pid}}", "donor"))
	donor := map[string]string{}
	for _, n := range []string{"net", "pid", "ipc", "uts"} {
		l, err := os.Readlink("/proc/" + donorPid + "/ns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		donor[n] = l
	}

	own := ns()
	for n, v := range own {
		if v == host[n] || v == donor[n] {
			t.Errorf("without flags the %s namespace is %s: the host's or the donor's", n, v)
		}
	}
	joined := ns("--network", "container:donor", "--pid", "container:donor", "--ipc", "container:donor")
	for _, n := range []string{"net", "pid", "ipc"} {
		if joined[n] != donor[n] {
			t.Errorf("%s namespace %s, want the donor's %s", n, joined[n], donor[n])
		}
	}
	if joined["uts"] == donor["uts"] || joined["uts"] == host["uts"] {
		t.Errorf("uts namespace %s shared without --uts", joined["uts"])
	}
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	hostNS := ns("--pid", "host", "--ipc", "host", "--uts", "host")
	if now, _ := os.Hostname(); now != hostname {
		t.Fatalf("--uts host changed the host's name from %q to %q", hostname, now)
	}
	for _, n := range []string{"pid", "ipc", "uts"} {
		if hostNS[n] != host[n] {
			t.Errorf("--%s host: namespace %s, want the host's %s", n, hostNS[n], host[n])
		}
	}
	if hostNS["net"] == host["net"] {
		t.Errorf("the host's network namespace without --network host")
	}

	// A shareable IPC namespace shares its /dev/shm with who joins it.
	b.must("exec", "donor", "sh", "-c", "echo shared > /dev/shm/seg")
	if got := b.must("run", "--pull", "never", "--rm", "--ipc", "container:donor", "busybox", "cat", "/dev/shm/seg"); got != "shared\n" {
		t.Errorf("/dev/shm/seg in the joiner: %q, want the donor's", got)
	}
	if out, code := b.exitOf("run", "--pull", "never", "--rm", "busybox", "cat", "/dev/shm/seg"); code == 0 {
		t.Errorf("/dev/shm/seg seen without --ipc: %q", out)
	}

	// On the donor's network: its address, its hostname, no veth of its own.
	want := b.must("exec", "donor", "sh", "-c", "cat /sys/class/net/eth0/address; hostname")
	if got := b.must("run", "--pull", "never", "--rm", "--network", "container:donor", "busybox", "sh", "-c", "cat /sys/class/net/eth0/address; hostname"); got != want {
		t.Errorf("on the donor's network: %q, want the donor's %q", got, want)
	}
	id := strings.TrimSpace(b.must("inspect", "-f", "{{.Id}}", "donor"))
	b.must("create", "--pull", "never", "--name", "joiner", "--network", "container:donor", "--pid", "container:donor", "busybox", "sleep", "300")
	if got := b.must("inspect", "-f", "{{.HostConfig.NetworkMode}} {{.HostConfig.PidMode}}", "joiner"); got != "container:"+id+" container:donor\n" {
		t.Errorf("joiner's modes: %q", got)
	}
	b.must("stop", "-t", "0", "donor")
	b.wantFail(t, 1, "cannot join network of a non running container", "start", "joiner") // docker start fails with 1
}

// TestRunLink: a legacy link is an /etc/hosts line for the linked
// container's address, under its alias, hostname and name.
func TestRunLink(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "--pull", "never", "-d", "--name", "web", "-h", "webhost", "-e", "FOO=bar", "--expose", "80", "busybox", "sleep", "300")
	ip := strings.TrimSpace(b.must("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web"))
	out := b.must("run", "--pull", "never", "--rm", "--name", "app1", "--link", "web:w", "busybox", "sh", "-c", "cat /etc/hosts; env")
	if line := ip + "\tw webhost web\n"; !strings.Contains(out, line) {
		t.Errorf("/etc/hosts lacks %q:\n%s", line, out)
	}
	for _, v := range []string{"W_NAME=/app1/w\n", "W_PORT=tcp://" + ip + ":80\n", "W_PORT_80_TCP_ADDR=" + ip + "\n", "W_ENV_FOO=bar\n"} {
		if !strings.Contains(out, v) {
			t.Errorf("the linked container's environment lacks %q:\n%s", v, out)
		}
	}
	b.must("create", "--pull", "never", "--name", "app", "--link", "web:w", "busybox", "true")
	if got := b.must("inspect", "-f", "{{json .HostConfig.Links}}", "app"); got != `["/web:/app/w"]`+"\n" {
		t.Errorf("HostConfig.Links = %s", got)
	}
	b.must("stop", "-t", "0", "web")
	b.wantFail(t, 1, "cannot link to a non running container", "start", "app")
}

package main

import (
	"strings"
	"testing"
)

// TestNetworkKeysNotRunning: inspect lists every network a container is
// on whether it runs or not, as docker's NetworkSettings.Networks: a
// created container's own and connected networks, without the one it was
// disconnected from; a stopped one keeps its keys; --network none is
// "none".
func TestNetworkKeysNotRunning(t *testing.T) {
	b := newBerthEnv(t)
	b.must("network", "create", "--internal", "k1")
	b.must("network", "create", "--internal", "k2")
	b.must("create", "--pull", "never", "--name", "nc", "--network", "k2", "busybox", "sleep", "300")
	keys := func(name string) string {
		return b.must("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", name)
	}
	b.must("network", "connect", "k1", "nc")
	if out := keys("nc"); out != "k1 k2 \n" {
		t.Errorf("networks of a created container after connect: %q, want k1 k2", out)
	}
	b.must("network", "disconnect", "k1", "nc")
	if out := keys("nc"); out != "k2 \n" {
		t.Errorf("networks of a created container after disconnect: %q, want k2", out)
	}
	b.must("start", "nc")
	b.must("stop", "-t", "0", "nc")
	if out := keys("nc"); out != "k2 \n" {
		t.Errorf("networks of a stopped container: %q, want k2", out)
	}
	b.must("create", "--pull", "never", "--name", "nn", "--network", "none", "busybox", "true")
	if out := keys("nn"); out != "none \n" {
		t.Errorf("networks of a container on none: %q, want none", out)
	}
}

// TestLinkOnUserNetwork: on a user-defined network --link stays in the
// endpoint (HostConfig.Links null) and only makes the alias resolve in the
// linker, without the legacy variables; on the default bridge it is
// HostConfig.Links' "/CHILD:/PARENT/ALIAS", as docker's.
func TestLinkOnUserNetwork(t *testing.T) {
	b := newBerthEnv(t)
	b.must("network", "create", "--internal", "ln")
	b.must("run", "--pull", "never", "-d", "--name", "linked", "--network", "ln", "busybox", "sleep", "300")
	b.must("run", "--pull", "never", "-d", "--name", "linker", "--network", "ln", "--link", "linked:alias", "busybox", "sleep", "300")
	if out := b.must("inspect", "-f", "{{json .HostConfig.Links}} {{json .NetworkSettings.Networks.ln.Links}}", "linker"); out != "null [\"linked:alias\"]\n" {
		t.Errorf("links on a user network: %q", out)
	}
	ip := strings.TrimSpace(b.must("inspect", "-f", "{{.NetworkSettings.Networks.ln.IPAddress}}", "linked"))
	if out := b.must("exec", "linker", "ping", "-c", "1", "-W", "2", "alias"); !strings.Contains(out, ip) {
		t.Errorf("ping alias from the linker: %q, want %s", out, ip)
	}
	if out := b.must("exec", "linker", "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"); strings.Contains(out, "ALIAS_") {
		t.Errorf("a user network's link gave legacy variables:\n%s", out)
	}

	b.must("run", "--pull", "never", "-d", "--name", "old", "busybox", "sleep", "300")
	b.must("run", "--pull", "never", "-d", "--name", "oldlinker", "--link", "old:al", "busybox", "sleep", "300")
	if out := b.must("inspect", "-f", "{{json .HostConfig.Links}} {{json .NetworkSettings.Networks.bridge.Links}}", "oldlinker"); out != "[\"/old:/oldlinker/al\"] null\n" {
		t.Errorf("links on the default bridge: %q", out)
	}
	if out := b.must("exec", "oldlinker", "sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"); !strings.Contains(out, "AL_NAME=/oldlinker/al") {
		t.Errorf("the default bridge's link gave no legacy variables:\n%s", out)
	}
}

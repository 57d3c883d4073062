package main

import (
	"strings"
	"testing"
)

// TestInspectDefaultNetworkSettings: the top-level NetworkSettings address
// fields are the default bridge's, as docker 20.10's; a container on a
// user-defined network only shows its address under Networks, and one
// that joins the bridge later gains them (and loses them on disconnect).
func TestInspectDefaultNetworkSettings(t *testing.T) {
	b := newBerthEnv(t)
	b.must("network", "create", "udn")
	b.must("run", "--pull", "never", "-d", "--name", "onbridge", "busybox", "sleep", "300")
	b.must("run", "--pull", "never", "-d", "--name", "onudn", "--network", "udn", "busybox", "sleep", "300")
	top := "{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.IPPrefixLen}}|{{.NetworkSettings.Gateway}}|{{.NetworkSettings.MacAddress}}"
	per := func(n string) string {
		return strings.ReplaceAll(top, ".NetworkSettings.", `(index .NetworkSettings.Networks "`+n+`").`)
	}
	if got, want := b.must("inspect", "-f", top, "onbridge"), b.must("inspect", "-f", per("bridge"), "onbridge"); got != want || strings.HasPrefix(got, "|") {
		t.Errorf("bridge container top level %q, want the bridge entry %q", got, want)
	}
	if got := b.must("inspect", "-f", top, "onudn"); got != "|0||\n" {
		t.Errorf("user-network container top level %q, want empty", got)
	}
	if got := b.must("inspect", "-f", per("udn"), "onudn"); strings.HasPrefix(got, "|") {
		t.Errorf("user-network entry %q has no address", got)
	}
	b.must("network", "connect", "bridge", "onudn")
	if got, want := b.must("inspect", "-f", top, "onudn"), b.must("inspect", "-f", per("bridge"), "onudn"); got != want || strings.HasPrefix(got, "|") {
		t.Errorf("after connect to bridge: top level %q, want %q", got, want)
	}
	b.must("network", "disconnect", "bridge", "onudn")
	if got := b.must("inspect", "-f", top, "onudn"); got != "|0||\n" {
		t.Errorf("after disconnect from bridge: top level %q, want empty", got)
	}
}

package host

import (
	"testing"

	"berth/engine"
	"berth/engine/network"
)

func TestPortsText(t *testing.T) {
	c := &engine.Container{NetworkSettings: &network.Settings{Ports: map[string][]network.PortBinding{
		"80/tcp":  {{HostPort: "8080"}, {HostIP: "::1", HostPort: "8081"}},
		"53/udp":  {{HostIP: "127.0.0.1", HostPort: "5353"}},
		"443/tcp": nil,
	}}}
	want := "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp, 443/tcp, [::1]:8081->80/tcp"
	if got := PortsText(c); got != want {
		t.Errorf("PortsText = %q\nwant          %q", got, want)
	}
	stopped := &engine.Container{}
	stopped.HostConfig.PortBindings = map[string][]engine.PortBinding{"80/tcp": {{HostPort: "8080"}}}
	if got := PortsText(stopped); got != "" {
		t.Errorf("PortsText(stopped) = %q", got)
	}
}

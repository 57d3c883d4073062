package api

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"berth/engine"
	berthnet "berth/engine/network"
)

func TestContainerPorts(t *testing.T) {
	c := &engine.Container{NetworkSettings: &berthnet.Settings{Ports: map[string][]berthnet.PortBinding{
		"53/udp":  {{HostIP: "", HostPort: "5353"}},
		"80/tcp":  {{HostIP: "127.0.0.1", HostPort: "8080"}, {HostIP: "::1", HostPort: "8080"}},
		"443/tcp": nil,
		"bogus":   nil,
	}}}
	want := []container.PortSummary{
		{PrivatePort: 53, PublicPort: 5353, Type: "udp", IP: netip.IPv4Unspecified()},
		{PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: netip.MustParseAddr("127.0.0.1")},
		{PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: netip.MustParseAddr("::1")},
		{PrivatePort: 443, Type: "tcp"},
	}
	if got := ContainerPorts(c); !reflect.DeepEqual(got, want) {
		t.Errorf("ContainerPorts = %+v\nwant %+v", got, want)
	}
	if got := ContainerPorts(&engine.Container{}); got == nil || len(got) != 0 {
		t.Errorf("ContainerPorts of a stopped container = %#v, want an empty list", got)
	}
}

func TestContainerSummaryNetworks(t *testing.T) {
	for mode, want := range map[string][]string{"": {"bridge"}, "default": {"bridge"}, "host": {"host"}, "none": {"none"}, "web": {"web"}, "container:db": {}} {
		c := &engine.Container{ID: "x", HostConfig: engine.HostConfig{NetworkMode: mode}}
		got := ContainerSummary(c, nil, time.Now()).NetworkSettings.Networks
		if len(got) != len(want) {
			t.Errorf("--network %q: networks %v, want %v", mode, got, want)
		}
		for _, name := range want {
			if got[name] == nil {
				t.Errorf("--network %q: networks %v lack %s", mode, got, name)
			}
		}
	}
}

// ps's COMMAND is dockerd's: an argument with a space in single quotes.
func TestContainerCommand(t *testing.T) {
	for _, tt := range []struct {
		path string
		args []string
		want string
	}{
		{"true", nil, "true"},
		{"sh", []string{"-c", "sleep 1000"}, "sh -c 'sleep 1000'"},
	} {
		if got := containerCommand(&engine.Container{Path: tt.path, Args: tt.args}); got != tt.want {
			t.Errorf("containerCommand(%q, %q) = %q, want %q", tt.path, tt.args, got, tt.want)
		}
	}
}

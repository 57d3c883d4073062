package api

import (
	"reflect"
	"testing"

	"berth/engine/network"
)

func TestNetworkOptions(t *testing.T) {
	id := "c3b039a79c0ab560d552bc006dd1a0d98e32058473626bbec3db48f8d073a8d6"
	for _, tc := range []struct {
		name string
		n    network.Network
		want map[string]string
	}{
		{"derived bridge name", network.Network{Name: "app_default", ID: id, Options: map[string]string{network.BridgeNameOption: "br-c3b039a79c0a"}}, map[string]string{}},
		{"bridge name the user gave", network.Network{Name: "app", ID: id, Options: map[string]string{network.BridgeNameOption: "mybridge"}}, map[string]string{network.BridgeNameOption: "mybridge"}},
		{"predefined bridge", network.Network{Name: network.NameBridge, ID: id, Options: map[string]string{network.BridgeNameOption: "br-c3b039a79c0a"}}, map[string]string{network.BridgeNameOption: "br-c3b039a79c0a"}},
		{"none", network.Network{Name: "x", ID: id}, map[string]string{}},
	} {
		if got := networkOptions(&tc.n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

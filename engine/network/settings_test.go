package network

import "testing"

// TestFillDefault: the top-level address fields mirror the default
// bridge's entry only (docker 20.10 daemon/inspect.go).
func TestFillDefault(t *testing.T) {
	bridge := EndpointSettings{IPAddress: "172.17.0.2", IPPrefixLen: 16, Gateway: "172.17.0.1", MacAddress: "02:42:ac:11:00:02"}
	udn := EndpointSettings{IPAddress: "10.1.0.2", IPPrefixLen: 24, Gateway: "10.1.0.1", MacAddress: "02:42:0a:01:00:02"}
	tests := []struct {
		name     string
		networks map[string]EndpointSettings
		want     EndpointSettings
	}{
		{"bridge", map[string]EndpointSettings{NameBridge: bridge}, bridge},
		{"user network only", map[string]EndpointSettings{"udn": udn}, EndpointSettings{}},
		{"both", map[string]EndpointSettings{"udn": udn, NameBridge: bridge}, bridge},
		{"none", nil, EndpointSettings{}},
	}
	for _, tt := range tests {
		s := Settings{IPAddress: "stale", IPPrefixLen: 8, Gateway: "stale", MacAddress: "stale", Networks: tt.networks}
		s.FillDefault()
		got := EndpointSettings{IPAddress: s.IPAddress, IPPrefixLen: s.IPPrefixLen, Gateway: s.Gateway, MacAddress: s.MacAddress}
		if got.IPAddress != tt.want.IPAddress || got.IPPrefixLen != tt.want.IPPrefixLen || got.Gateway != tt.want.Gateway || got.MacAddress != tt.want.MacAddress {
			t.Errorf("%s: top level %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

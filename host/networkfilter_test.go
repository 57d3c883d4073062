package host

import (
	"strings"
	"testing"

	"berth/engine/network"
	filterArgs "berth/internal/filters"
)

// TestNetworkFilter: network ls filters by docker's rules.
func TestNetworkFilter(t *testing.T) {
	nets := []*network.Network{
		{Name: "none", ID: strings.Repeat("3", 64), Driver: "null", Scope: "local"},
		{Name: "bridge", ID: strings.Repeat("1", 64), Driver: "bridge", Scope: "local"},
		{Name: "host", ID: strings.Repeat("2", 64), Driver: "host", Scope: "local"},
		{Name: "mynet", ID: strings.Repeat("4", 64), Driver: "bridge", Scope: "local", Labels: map[string]string{"team": "core"}},
	}
	nets = append(nets, &network.Network{Name: "busy", ID: strings.Repeat("5", 64), Driver: "bridge", Scope: "local",
		Containers: map[string]network.Endpoint{"c1": {Name: "web"}}})
	tests := []struct {
		filters []string
		want    string
	}{
		{nil, "none bridge host mynet busy"},
		{[]string{"name=^my"}, "mynet"},
		{[]string{"name=host", "name=bridge"}, "bridge host"},
		{[]string{"id=4444"}, "mynet"},
		{[]string{"driver=bridge", "label=team=core"}, "mynet"},
		{[]string{"type=builtin"}, "none bridge host"},
		{[]string{"scope=local", "type=custom"}, "mynet busy"},
		{[]string{"scope=swarm"}, ""},
		{[]string{"dangling=true"}, "mynet"},
		{[]string{"dangling=false"}, "none bridge host busy"},
	}
	for _, tt := range tests {
		conds, err := filterArgs.Parse(tt.filters)
		if err != nil {
			t.Fatal(err)
		}
		match, err := NetworkFilter(conds)
		if err != nil {
			t.Fatalf("%q: %v", tt.filters, err)
		}
		var got []string
		for _, n := range nets {
			if match(n) {
				got = append(got, n.Name)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%q matched %q, want %q", tt.filters, got, tt.want)
		}
	}
	for _, bad := range []string{"colour=red", "type=odd", "dangling=maybe"} {
		conds, _ := filterArgs.Parse([]string{bad})
		if _, err := NetworkFilter(conds); err == nil || !strings.Contains(err.Error(), "invalid filter") {
			t.Errorf("NetworkFilter(%s) = %v", bad, err)
		}
	}
}

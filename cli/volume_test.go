package cli

import (
	"testing"

	"berth/engine"
)

func TestParseVolumeFilters(t *testing.T) {
	named := &engine.Volume{Name: "data", Driver: "local", Labels: map[string]string{"app": "web"}}
	anon := &engine.Volume{Name: "0123abcd", Driver: "local", Labels: map[string]string{"com.docker.volume.anonymous": ""}}
	tests := []struct {
		filters []string
		vol     *engine.Volume
		users   int
		want    bool
	}{
		{nil, named, 1, true},
		{[]string{"dangling=true"}, named, 0, true},
		{[]string{"dangling=true"}, named, 1, false},
		{[]string{"dangling=false"}, named, 1, true},
		{[]string{"dangling=0"}, named, 0, false},
		{[]string{"name=at"}, named, 0, true},
		{[]string{"name=zz", "name=da"}, named, 0, true},
		{[]string{"name=zz"}, named, 0, false},
		{[]string{"label=app"}, named, 0, true},
		{[]string{"label=app=web"}, named, 0, true},
		{[]string{"label=app=db"}, named, 0, false},
		{[]string{"label!=app"}, named, 0, false},
		{[]string{"label!=app"}, anon, 0, true},
		{[]string{"driver=local", "dangling=true"}, anon, 0, true},
		{[]string{"driver=other"}, anon, 0, false},
	}
	for _, tt := range tests {
		match, err := parseVolumeFilters(tt.filters)
		if err != nil {
			t.Fatalf("parseVolumeFilters(%q): %v", tt.filters, err)
		}
		if got := match(tt.vol, tt.users); got != tt.want {
			t.Errorf("filters %q on %s (%d users) = %v, want %v", tt.filters, tt.vol.Name, tt.users, got, tt.want)
		}
	}
	for _, bad := range []string{"dangling=maybe", "size=1", "name", "name!=x"} {
		if _, err := parseVolumeFilters([]string{bad}); err == nil {
			t.Errorf("parseVolumeFilters(%q) accepted", bad)
		}
	}
}

package events

import "testing"

func TestMatchArgs(t *testing.T) {
	start := Event{Type: TypeContainer, Action: ActionStart, ID: "4f1c00aa", Name: "web",
		Attributes: map[string]string{AttrName: "web", AttrImage: "busybox:latest", "tier": "front"}}
	execStart := Event{Type: TypeContainer, Action: "exec_start: sh -c date", ID: "4f1c00aa",
		Attributes: map[string]string{AttrName: "web", AttrImage: "busybox"}}
	pull := Event{Type: TypeImage, Action: ActionPull, ID: "busybox:latest",
		Attributes: map[string]string{AttrName: "busybox:latest"}}
	tag := Event{Type: TypeImage, Action: ActionTag, ID: "sha256:abcd",
		Attributes: map[string]string{AttrName: "registry:5000/app:v1"}}
	connect := Event{Type: TypeNetwork, Action: ActionConnect, ID: "9e8d",
		Attributes: map[string]string{AttrName: "front", AttrContainer: "4f1c00aa", AttrNetworkType: "bridge"}}
	vol := Event{Type: TypeVolume, Action: ActionCreate, ID: "data", Attributes: map[string]string{"driver": "local"}}
	oldStyle := Event{Type: TypeContainer, Action: ActionDie, ID: "77", Name: "db"}

	for _, tc := range []struct {
		name string
		args map[string][]string
		e    Event
		want bool
	}{
		{"no filters", nil, start, true},
		{"container by name", map[string][]string{"container": {"web"}}, start, true},
		{"container by ID prefix", map[string][]string{"container": {"4f1c"}}, start, true},
		{"container by name prefix", map[string][]string{"container": {"we"}}, start, true},
		{"container other", map[string][]string{"container": {"db"}}, start, false},
		{"container name from Name field", map[string][]string{"container": {"db"}}, oldStyle, true},
		{"container filter drops image events", map[string][]string{"container": {"web"}}, pull, false},
		{"container filter drops its network events", map[string][]string{"container": {"web"}}, connect, false},
		{"two containers OR", map[string][]string{"container": {"db", "web"}}, start, true},
		{"type", map[string][]string{"type": {"image"}}, pull, true},
		{"type other", map[string][]string{"type": {"image"}}, start, false},
		{"type network", map[string][]string{"type": {"network"}}, connect, true},
		{"event exact", map[string][]string{"event": {"start"}}, start, true},
		{"event exact no prefix", map[string][]string{"event": {"sta"}}, start, false},
		{"event exec_start long form", map[string][]string{"event": {"exec_start"}}, execStart, true},
		{"event exec_start exact long", map[string][]string{"event": {"exec_start: sh -c date"}}, execStart, true},
		{"event and type AND", map[string][]string{"event": {"start"}, "type": {"image"}}, start, false},
		{"image of a container", map[string][]string{"image": {"busybox:latest"}}, start, true},
		{"image without tag", map[string][]string{"image": {"busybox"}}, start, true},
		{"image event by name", map[string][]string{"image": {"busybox"}}, pull, true},
		{"image event by ID", map[string][]string{"image": {"sha256:abcd"}}, tag, true},
		{"image registry port kept", map[string][]string{"image": {"registry:5000/app"}}, tag, true},
		{"image other", map[string][]string{"image": {"alpine"}}, pull, false},
		{"image drops network", map[string][]string{"image": {"busybox"}}, connect, false},
		{"label key", map[string][]string{"label": {"tier"}}, start, true},
		{"label key=value", map[string][]string{"label": {"tier=front"}}, start, true},
		{"label wrong value", map[string][]string{"label": {"tier=back"}}, start, false},
		{"labels all must match", map[string][]string{"label": {"tier", "missing"}}, start, false},
		{"network by name", map[string][]string{"network": {"front"}}, connect, true},
		{"network by ID", map[string][]string{"network": {"9e8d"}}, connect, true},
		{"network drops volume", map[string][]string{"network": {"front"}}, vol, false},
		{"volume by name", map[string][]string{"volume": {"data"}}, vol, true},
		{"volume and type", map[string][]string{"volume": {"data"}, "type": {"volume"}}, vol, true},
		{"scope local", map[string][]string{"scope": {"local"}}, start, true},
		{"scope swarm", map[string][]string{"scope": {"swarm"}}, start, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchArgs(tc.args, tc.e); got != tc.want {
				t.Errorf("MatchArgs(%v, %s %s) = %v, want %v", tc.args, tc.e.Type, tc.e.Action, got, tc.want)
			}
			if got := (Filter{Args: tc.args}).Match(tc.e); got != tc.want {
				t.Errorf("Filter.Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStripTag(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                  "busybox",
		"busybox:latest":           "busybox",
		"localhost:5000/app:v1":    "localhost:5000/app",
		"localhost:5000/app":       "localhost:5000/app",
		"app@sha256:0123":          "app",
		"sha256:0123456789abcdef0": "sha256:0123456789abcdef0",
		"":                         "",
	} {
		if got := stripTag(in); got != want {
			t.Errorf("stripTag(%q) = %q, want %q", in, got, want)
		}
	}
}

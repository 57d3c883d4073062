package engine

import (
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine/network"
	"berth/internal/filters"
)

// TestContainerFilterMatch: docker's ps filters as a pure rule over
// containers.
func TestContainerFilterMatch(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC)
	web := &Container{
		ID: "4f1c2d3e5a6b" + strings.Repeat("0", 52), Name: "/web", Created: t0, Image: "sha256:aaa",
		State:      State{Status: StatusRunning, Pid: 42, StartedAt: t0},
		Config:     ContainerConfig{Labels: map[string]string{"tier": "front", "app": "demo"}},
		HostConfig: HostConfig{NetworkMode: "appnet"},
		Mounts:     []MountPoint{{Type: "bind", Source: "/srv/data", Destination: "/data"}},
		NetworkSettings: &network.Settings{
			Ports:    map[string][]network.PortBinding{"80/tcp": {{HostIP: "0.0.0.0", HostPort: "8080"}}, "53/udp": nil},
			Networks: map[string]network.EndpointSettings{"appnet": {NetworkID: "9e9e9e9e"}},
		},
	}
	job := &Container{
		ID: "0123456789ab" + strings.Repeat("0", 52), Name: "/job", Created: t0.Add(time.Hour), Image: "sha256:bbb",
		State: State{Status: StatusExited, ExitCode: 2, StartedAt: t0, FinishedAt: t0.Add(time.Minute)},
	}
	fresh := &Container{
		ID: "00ff00ff00ff" + strings.Repeat("0", 52), Name: "/fresh", Created: t0.Add(2 * time.Hour), Image: "sha256:aaa",
		State:      State{Status: StatusCreated},
		HostConfig: HostConfig{NetworkMode: "host"},
	}
	all := []*Container{web, job, fresh}
	tests := []struct {
		filters []string
		want    string // names that match, in order
	}{
		{nil, "web job fresh"},
		{[]string{"name=^/web$"}, "web"},
		{[]string{"name=^web$"}, "web"},
		{[]string{"name=b"}, "web job"},
		{[]string{"name=job", "name=fresh"}, "job fresh"},
		{[]string{"id=4f1c"}, "web"},
		{[]string{"id=" + job.ID}, "job"},
		{[]string{"id=0"}, ""},                    // ambiguous: job and fresh
		{[]string{"id=01", "id=00"}, "job fresh"}, // each unique
		{[]string{"id=1c2d"}, ""},                 // a prefix, not a substring
		{[]string{"id=^4f"}, ""},
		{[]string{"label=tier"}, "web"},
		{[]string{"label=tier=front", "label=app=demo"}, "web"},
		{[]string{"label=tier=front", "label=app=other"}, ""},
		{[]string{"status=exited"}, "job"},
		{[]string{"status=running", "status=created"}, "web fresh"},
		{[]string{"exited=2"}, "job"},
		{[]string{"exited=0"}, ""},
		{[]string{"health=none"}, "web job fresh"},
		{[]string{"health=healthy"}, ""},
		{[]string{"volume=/data"}, "web"},
		{[]string{"volume=/srv/data"}, "web"},
		{[]string{"volume=/other"}, ""},
		{[]string{"network=appnet"}, "web"},
		{[]string{"network=9e9e"}, "web"},
		{[]string{"network=host"}, "fresh"},
		{[]string{"network=bridge"}, "job"},
		{[]string{"publish=8080"}, "web"},
		{[]string{"publish=8000-8090/tcp"}, "web"},
		{[]string{"publish=80"}, ""},
		{[]string{"expose=80"}, "web"},
		{[]string{"expose=53/udp"}, "web"},
		{[]string{"expose=53"}, ""},
		{[]string{"isolation=default"}, "web job fresh"},
		{[]string{"isolation=hyperv"}, ""},
		{[]string{"is-task=false"}, "web job fresh"},
		{[]string{"is-task=true"}, ""},
		{[]string{"status=exited", "name=web"}, ""},
	}
	for _, tt := range tests {
		args, err := filters.Parse(tt.filters)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parseContainerFilter(args)
		if err != nil {
			t.Fatalf("%q: %v", tt.filters, err)
		}
		if args.Contains("id") {
			f.ids = uniquePrefixIDs(args["id"], []string{web.ID, job.ID, fresh.ID})
		}
		var got []string
		for _, c := range all {
			if f.match(c) {
				got = append(got, c.DisplayName())
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%q matched %q, want %q", tt.filters, got, tt.want)
		}
	}

	// Resolved references: before and since by creation, ancestor by image ID.
	f, _ := parseContainerFilter(filters.Args{})
	f.before, f.since = fresh, web
	if !f.match(job) || f.match(web) || f.match(fresh) {
		t.Error("before=fresh since=web should match job alone")
	}
	f, _ = parseContainerFilter(filters.Args{"ancestor": {"busybox"}})
	f.ancestors = map[string]bool{"sha256:aaa": true}
	if !f.match(web) || !f.match(fresh) || f.match(job) {
		t.Error("ancestor by image ID")
	}
}

// TestUniquePrefixIDs pins docker 20.10's id filter: the daemon looks each
// value up in its ID index, where a prefix of several IDs is ambiguous and
// names no container (moby daemon/list.go filterByNameIDMatches).
func TestUniquePrefixIDs(t *testing.T) {
	all := []string{"aa11", "aa22", "bb33"}
	tests := []struct {
		values []string
		want   []string
	}{
		{[]string{"aa1"}, []string{"aa11"}},
		{[]string{"aa"}, nil},                   // ambiguous
		{[]string{"a", "bb"}, []string{"bb33"}}, // one ambiguous, one unique
		{[]string{"aa11", "aa22"}, []string{"aa11", "aa22"}},
		{[]string{"cc"}, nil},
		{[]string{""}, nil},
		{[]string{"a.11"}, nil}, // a prefix, not a pattern
	}
	for _, tt := range tests {
		got := uniquePrefixIDs(tt.values, all)
		var ids []string
		for id := range got {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tt.want) {
			t.Errorf("uniquePrefixIDs(%q) = %q, want %q", tt.values, ids, tt.want)
		}
	}
}

func TestFilterHealthFromJSON(t *testing.T) {
	// The health filter reads .State.Health.Status of the inspect JSON, as
	// docker's; a container without a healthcheck is "none".
	v := filterFields{}
	if v.health() != "none" {
		t.Errorf("no Health: %q", v.health())
	}
	v.State.Health = &struct{ Status string }{"unhealthy"}
	if v.health() != "unhealthy" {
		t.Errorf("Health: %q", v.health())
	}
	v.Mounts = append(v.Mounts, struct{ Name, Source, Destination string }{"pgdata", "/srv/data-root/volumes/pgdata/_data", "/var/lib/postgresql"})
	if !v.hasVolume([]string{"pgdata"}) || !v.hasVolume([]string{"/var/lib/postgresql"}) || v.hasVolume([]string{"other"}) {
		t.Error("volume by name and destination")
	}
}

func TestValidateListFilters(t *testing.T) {
	tests := map[string]string{
		"foo=bar":        "invalid filter 'foo'",
		"status=asleep":  "invalid filter 'status=asleep'",
		"exited=x":       "invalid filter 'exited=x'",
		"health=fine":    "Unrecognised filter value for health: fine",
		"is-task=maybe":  "invalid filter 'is-task=maybe'",
		"publish=80:80":  "filter for 'publish' should not contain ':': 80:80",
		"expose=a-b/tcp": "error while looking up for expose a-b/tcp",
		"name=(":         "",
		"health=none":    "",
		"volume=x":       "",
	}
	for in, want := range tests {
		args, _ := filters.Parse([]string{in})
		err := ValidateListFilters(args)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("ValidateListFilters(%s) = %v, want %q", in, err, want)
		}
	}
}

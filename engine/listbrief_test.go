package engine

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// A brief list keeps what a list shows and leaves the rest of each
// record to the collector; listing again hands the same records back
// (the TUI keeps the list, and lists every container again every 30 s).
// A whole list still has everything.
func TestBriefList(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	const n = 64
	for range n {
		create(t, e, CreateOptions{
			Config: ContainerConfig{
				Cmd:    []string{"sleep", "100000"},
				Env:    []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "LANG=C.UTF-8"},
				Labels: map[string]string{"com.docker.compose.project": "web", "com.docker.compose.service": "app"},
			},
			HostConfig: HostConfig{NetworkMode: "none", Binds: []string{"/var/tmp:/data"}},
		})
	}
	brief, err := e.List(ctx, ListOptions{All: true, Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.List(ctx, ListOptions{All: true, Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if again[i] != brief[i] {
			t.Fatalf("listing again made a new record for %s", again[i].ID)
		}
	}
	// A whole list after a brief one has the whole records.
	whole, err := e.List(ctx, ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(brief) != n || len(whole) != n {
		t.Fatalf("listed %d brief and %d whole, want %d", len(brief), len(whole), n)
	}
	for i, b := range brief {
		w := whole[i]
		if b.ID != w.ID || b.Name != w.Name || b.State.Status != w.State.Status || !b.Created.Equal(w.Created) ||
			b.Config.Image != w.Config.Image || b.Config.Labels["com.docker.compose.service"] != "app" ||
			b.HostConfig.NetworkMode != w.HostConfig.NetworkMode || len(b.Config.Cmd) != 2 {
			t.Fatalf("brief %d is %+v, want what a list shows of %+v", i, b, w)
		}
		if b.Config.Env != nil || b.HostConfig.Binds != nil {
			t.Fatalf("brief %d keeps the environment or binds: %v %v", i, b.Config.Env, b.HostConfig.Binds)
		}
		if len(b.Mounts) != 1 || b.Mounts[0].Destination != "/data" {
			t.Fatalf("brief %d lost its mount points (ps shows them): %v", i, b.Mounts)
		}
		if w.Config.Env == nil || w.HostConfig.Binds == nil {
			t.Fatalf("whole %d lost its environment or binds", i)
		}
	}
	// A reader of whatever the cache holds (Stats) leaves the whole
	// records there; a brief list then puts brief ones back.
	id := whole[0].ID
	if c, err := e.loadCached(id, anyRecord); err != nil || c.Config.Env == nil || e.records[id].brief {
		t.Fatalf("any form after a whole list: %v, env %v, cached brief %v", err, c.Config.Env, e.records[id].brief)
	}
	if _, err := e.List(ctx, ListOptions{Brief: true, IDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if c := e.records[id]; !c.brief || c.rec.Config.Env != nil {
		t.Fatalf("a brief list after a whole one left the whole record cached")
	}
	// ps's filters read what a brief record keeps.
	name := brief[3].DisplayName()
	for _, f := range []map[string][]string{{"name": {name}}, {"volume": {"/data"}}, {"label": {"com.docker.compose.service=app"}}} {
		got, err := e.List(ctx, ListOptions{All: true, Brief: true, Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.List(ctx, ListOptions{All: true, Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Errorf("filter %v: %d brief, %d whole", f, len(got), len(want))
		}
	}
}

// What a brief list keeps per container, with the engine's cache, is a
// small part of what a whole one keeps: the cache's record and the
// list's copy of it. (Measured: 3.1 against 5.0 KiB per container here,
// most of the brief one the record's struct and the labels; the TUI
// watching 100 idle containers kept 9 KiB each.)
func TestBriefListRetainsLittle(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	const n = 64
	config := ContainerConfig{
		Cmd: []string{"nginx", "-g", "daemon off;"},
		Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NGINX_VERSION=1.27.3",
			"NJS_VERSION=0.8.7", "NJS_RELEASE=1~bookworm", "PKG_RELEASE=1~bookworm", "DYNPKG_RELEASE=1~bookworm"},
		Labels: map[string]string{"com.docker.compose.project": "shop", "com.docker.compose.service": "web",
			"com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False",
			"com.docker.compose.project.working_dir": "/home/user/src/shop", "com.docker.compose.version": "2.30.3"},
	}
	for range n {
		create(t, e, CreateOptions{Config: config, HostConfig: HostConfig{NetworkMode: "none", Binds: []string{"/var/tmp:/data"}}})
	}
	retained := func(brief bool) uint64 {
		e.recMu.Lock()
		e.records = nil
		e.recMu.Unlock()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		list, err := e.List(ctx, ListOptions{All: true, Brief: brief})
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(list)
		return (after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)) / n
	}
	whole, brief := retained(false), retained(true)
	t.Logf("retained per container: %d bytes whole, %d brief", whole, brief)
	if brief > whole*2/3 {
		t.Errorf("a brief list retains %d bytes per container, a whole one %d: want at most two thirds", brief, whole)
	}
}

// A list of given IDs reads only those containers, in any state, brief
// or whole; an ID that is gone, or is not a full ID, is left out.
func TestListGivenIDs(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	var ids []string
	for range 4 {
		c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{NetworkMode: "none"}})
		ids = append(ids, c.ID)
	}
	gone := strings.Repeat("0", 64)
	for _, brief := range []bool{true, false} {
		got, err := e.List(ctx, ListOptions{Brief: brief, IDs: []string{ids[2], gone, ids[0], "../" + ids[1], ids[2][:12], ids[0]}})
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, c := range got {
			listed = append(listed, c.ID)
		}
		slices.Sort(listed)
		want := []string{ids[0], ids[2]}
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("brief %v: listed %v, want %v", brief, listed, want)
		}
	}
	if got, err := e.List(ctx, ListOptions{IDs: []string{}}); err != nil || len(got) != 0 {
		t.Errorf("an empty list of IDs listed %d, %v", len(got), err)
	}
	if _, err := e.List(ctx, ListOptions{IDs: ids, Filters: map[string][]string{"name": {"x"}}}); err == nil {
		t.Error("a list of given IDs took filters")
	}
}

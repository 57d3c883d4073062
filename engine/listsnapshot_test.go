package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/engine/events"
)

func snapRecord(id, name string) *record {
	c := &record{Container: Container{ID: strings.Repeat(id, 64), Name: "/" + name,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), State: State{Status: StatusExited}}}
	c.Config.Labels = map[string]string{"k": "v"}
	return c
}

func TestListSnapshotFormat(t *testing.T) {
	pos := events.Position{Rotation: 2, Ino: 77, Off: 1234}
	full := time.Date(2026, 12, 8, 3, 4, 5, 6, time.UTC)
	good, err := encodeListSnapshot(listSnapshot{pos: pos, full: full, recs: []*record{snapRecord("a", "one"), snapRecord("b", "two")}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := decodeListSnapshot(good)
	if err != nil {
		t.Fatal(err)
	}
	if s.pos != pos || !s.full.Equal(full) || len(s.recs) != 2 || s.recs[1].Name != "/two" || s.recs[0].Config.Labels["k"] != "v" {
		t.Fatalf("decoded %+v", s)
	}
	lines := bytes.SplitAfter(good, []byte("\n"))
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"cut mid-line", good[:len(good)-5]},
		{"a whole line short", bytes.Join(lines[:2], nil)},
		{"no records but the header counts two", lines[0]},
		{"another version", bytes.Replace(good, []byte(`"version":1`), []byte(`"version":99`), 1)},
		{"a line that is not JSON", bytes.Join([][]byte{lines[0], lines[1], []byte("{\"Id\n")}, nil)},
		{"a record without an ID", bytes.Join([][]byte{lines[0], lines[1], []byte("{}\n")}, nil)},
		{"a header that is not JSON", append([]byte("x\n"), bytes.Join(lines[1:], nil)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := decodeListSnapshot(tt.data); !errors.Is(err, errBadSnapshot) {
				t.Errorf("decoded %d records, %v; want errBadSnapshot", len(s.recs), err)
			}
		})
	}
}

func TestNamedBy(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	tests := []struct {
		name string
		evs  []events.Event
		want []string
	}{
		{"none", nil, nil},
		{"a rename and a die, twice", []events.Event{
			{Type: events.TypeContainer, Action: events.ActionRename, ID: b},
			{Type: events.TypeContainer, Action: events.ActionDie, ID: a},
			{Type: events.TypeContainer, Action: events.ActionDie, ID: b},
		}, []string{a, b}},
		{"execs and images change nothing listed", []events.Event{
			{Type: events.TypeContainer, Action: "exec_start: sh", ID: a},
			{Type: events.TypeImage, Action: events.ActionPull, ID: "busybox"},
		}, nil},
		{"a health status and a connect", []events.Event{
			{Type: events.TypeContainer, Action: "health_status: healthy", ID: a},
			{Type: events.TypeNetwork, Action: events.ActionConnect, ID: "net", Attributes: map[string]string{events.AttrContainer: b}},
		}, []string{a, b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := namedBy(tt.evs); !slices.Equal(got, tt.want) {
				t.Errorf("namedBy = %v, want %v", got, tt.want)
			}
		})
	}
}

// listJSON is a brief list of every container as JSON, one line each,
// sorted: what two lists that agree give alike.
func listJSON(t *testing.T, e *Engine) string {
	t.Helper()
	list, err := e.List(context.Background(), ListOptions{All: true, Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range list {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// openAgain is another Engine on e's roots, as another process opens
// them; noSnapshot has it read every record.
func openAgain(t *testing.T, e *Engine, noSnapshot bool) *Engine {
	t.Helper()
	opts := e.opts
	opts.NoListSnapshot = noSnapshot
	o, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// A brief list of every container, from the snapshot in memory or on
// disk and the events since, is what reading every record gives, after
// each change made by another process.
func TestListSnapshotFollowsChanges(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	other := openAgain(t, e, false)
	var ids []string
	for range 6 {
		ids = append(ids, create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{NetworkMode: "none"}}).ID)
	}
	check := func(step string) {
		t.Helper()
		want := listJSON(t, openAgain(t, e, true))
		if got := listJSON(t, e); got != want {
			t.Fatalf("%s: from the snapshot in memory:\n%s\nreading every record:\n%s", step, got, want)
		}
		if got := listJSON(t, openAgain(t, e, false)); got != want {
			t.Fatalf("%s: from the snapshot on disk:\n%s\nreading every record:\n%s", step, got, want)
		}
	}
	check("first list")
	if _, err := os.Stat(filepath.Join(e.opts.Root, listSnapshotName)); err != nil {
		t.Fatalf("no snapshot after a brief list: %v", err)
	}
	create(t, other, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}, Labels: map[string]string{"new": "1"}}, HostConfig: HostConfig{NetworkMode: "none"}})
	check("create")
	if err := other.Rename(ctx, ids[1], "renamed"); err != nil {
		t.Fatal(err)
	}
	check("rename")
	if err := other.Remove(ctx, ids[2], RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	check("remove")
	if err := other.Update(ctx, ids[3], UpdateOptions{RestartPolicy: &RestartPolicy{Name: "always"}}); err != nil {
		t.Fatal(err)
	}
	check("update")
	check("nothing changed")
}

// A snapshot that cannot be trusted is not read: every record is. A
// snapshot made up to hold a container that does not exist shows it
// while it is trusted, and no longer once it is broken.
func TestListSnapshotFallsBack(t *testing.T) {
	e := newTestEngine(t)
	create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{NetworkMode: "none"}})
	path := filepath.Join(e.opts.Root, listSnapshotName)
	eventsDir := filepath.Join(e.opts.Root, "events")
	plant := func(t *testing.T, full time.Time) {
		t.Helper()
		list, err := openAgain(t, e, true).List(context.Background(), ListOptions{All: true, Brief: true})
		if err != nil {
			t.Fatal(err)
		}
		pos, err := e.events.Position()
		if err != nil {
			t.Fatal(err)
		}
		recs := []*record{snapRecord("f", "ghost")}
		for _, c := range list {
			recs = append(recs, &record{Container: *c})
		}
		data, err := encodeListSnapshot(listSnapshot{pos: pos, full: full, recs: recs})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ghost := func(t *testing.T) bool {
		t.Helper()
		return strings.Contains(listJSON(t, openAgain(t, e, false)), `"/ghost"`)
	}
	plant(t, time.Now())
	if !ghost(t) {
		t.Fatal("a trusted snapshot was not read")
	}
	// A long-lived process's snapshot in memory goes with the file: it
	// reads another process's, and lists every container once the file
	// is removed (an event that could not be appended).
	if _, err := e.List(context.Background(), ListOptions{All: true, Brief: true}); err != nil {
		t.Fatal(err)
	}
	plant(t, time.Now())
	if !strings.Contains(listJSON(t, e), `"/ghost"`) {
		t.Fatal("a long-lived process kept its snapshot after another was written")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(listJSON(t, e), `"/ghost"`) {
		t.Fatal("a long-lived process kept its snapshot after the file was removed")
	}
	tests := []struct {
		name   string
		break_ func(t *testing.T)
	}{
		{"descended from a list of every container too long ago", func(t *testing.T) {
			plant(t, time.Now().Add(-listSnapshotMaxAge-time.Second))
		}},
		{"an event that could not be appended", func(t *testing.T) {
			live := filepath.Join(eventsDir, "events.log")
			if err := os.Rename(live, live+".aside"); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(live, 0o700); err != nil {
				t.Fatal(err)
			}
			e.Emit(events.TypeContainer, events.ActionRename, strings.Repeat("e", 64), map[string]string{events.AttrName: "x"})
			if err := os.Remove(live); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(live+".aside", live); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T) {
			if err := os.Truncate(path, 40); err != nil {
				t.Fatal(err)
			}
		}},
		{"corrupted", func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, bytes.Replace(data, []byte(`"id"`), []byte(`"id`), 1), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"events log cut short", func(t *testing.T) {
			if err := os.Truncate(filepath.Join(eventsDir, "events.log"), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"events log rotated twice", func(t *testing.T) {
			pos, err := e.events.Position()
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := os.Rename(filepath.Join(eventsDir, "events.log"), filepath.Join(eventsDir, "events.log.1")); err != nil {
					t.Fatal(err)
				}
				e.Emit(events.TypeVolume, events.ActionCreate, "v", map[string]string{events.AttrName: "v"})
			}
			if err := os.WriteFile(filepath.Join(eventsDir, "events.lock"), []byte(strconv.FormatUint(pos.Rotation+2, 10)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Emit(events.TypeVolume, events.ActionCreate, "v", map[string]string{events.AttrName: "v"})
			plant(t, time.Now())
			if !ghost(t) {
				t.Fatal("a trusted snapshot was not read")
			}
			tt.break_(t)
			if ghost(t) {
				t.Fatal("a broken snapshot was read")
			}
		})
	}
}

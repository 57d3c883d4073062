package host

import (
	"slices"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/events"
)

func TestChangedBy(t *testing.T) {
	id := "c0ffee"
	for _, tc := range []struct {
		ev   events.Event
		want string
	}{
		{events.Event{Type: events.TypeContainer, Action: events.ActionStart, ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: events.ActionDie, ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: events.ActionDestroy, ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: events.ActionRename, ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: "health_status: unhealthy", ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: "update", ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: "a-new-action", ID: id}, id},
		{events.Event{Type: events.TypeContainer, Action: "exec_start: sh -c date", ID: id}, ""},
		{events.Event{Type: events.TypeContainer, Action: events.ActionExecDie, ID: id}, ""},
		{events.Event{Type: events.TypeContainer, Action: events.ActionAttach, ID: id}, ""},
		{events.Event{Type: events.TypeContainer, Action: "archive-path", ID: id}, ""},
		{events.Event{Type: events.TypeNetwork, Action: events.ActionConnect, ID: "net", Attributes: map[string]string{events.AttrContainer: id}}, id},
		{events.Event{Type: events.TypeNetwork, Action: "create", ID: "net"}, ""},
		{events.Event{Type: events.TypeImage, Action: events.ActionTag, ID: "sha256:ab"}, ""},
		{events.Event{Type: events.TypeVolume, Action: "create", ID: "data"}, ""},
	} {
		if got := ChangedBy(tc.ev); got != tc.want {
			t.Errorf("ChangedBy(%s %s) = %q, want %q", tc.ev.Type, tc.ev.Action, got, tc.want)
		}
	}
}

// A ListWatch lists every container until the events are followed, once
// when they are, then only what events named, and every container again
// each ListAllEvery.
func TestListWatch(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	ev := func(id string) events.Event {
		return events.Event{Type: events.TypeContainer, Action: events.ActionStart, ID: id}
	}
	type want struct {
		all bool
		ids []string
	}
	var w ListWatch
	steps := []struct {
		name string
		do   func()
		at   time.Duration
		want want
	}{
		{"not following: every container", func() {}, 0, want{all: true}},
		{"still not following", func() { w.Event(ev("a")) }, time.Second, want{all: true}},
		{"the follow opens: every container once", func() { w.Following(true) }, 2 * time.Second, want{all: true}},
		{"nothing happened", func() {}, 3 * time.Second, want{}},
		{"two events name a", func() { w.Event(ev("b")); w.Event(ev("a")); w.Event(ev("a")) }, 4 * time.Second, want{ids: []string{"a", "b"}}},
		{"taken: nothing left", func() {}, 5 * time.Second, want{}},
		{"a failed read is asked again", func() { w.Failed(false, []string{"c"}) }, 6 * time.Second, want{ids: []string{"c"}}},
		{"past ListAllEvery: every container", func() { w.Event(ev("d")) }, 2*time.Second + ListAllEvery, want{all: true}},
		{"the full list took d", func() {}, 3*time.Second + ListAllEvery, want{}},
		{"a failed full list is asked again", func() { w.Failed(true, nil) }, 4*time.Second + ListAllEvery, want{all: true}},
		{"the follow ends: every container", func() { w.Following(false) }, 5*time.Second + ListAllEvery, want{all: true}},
		{"and each time after", func() {}, 6*time.Second + ListAllEvery, want{all: true}},
	}
	for _, s := range steps {
		s.do()
		now := t0.Add(s.at)
		named := w.Named()
		all, ids := w.Next(now)
		if all != s.want.all || !slices.Equal(ids, s.want.ids) || len(ids) > 0 && !named {
			t.Fatalf("%s: named %v, Next = %v %v; want %v %v", s.name, named, all, ids, s.want.all, s.want.ids)
		}
		if w.Named() {
			t.Fatalf("%s: still named after Next", s.name)
		}
	}
}

func TestPatchList(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	ctr := func(id string, age int, status engine.Status) *engine.Container {
		return &engine.Container{ID: id, Created: t0.Add(-time.Duration(age) * time.Minute), State: engine.State{Status: status}}
	}
	a, b, c := ctr("a", 1, engine.StatusRunning), ctr("b", 2, engine.StatusRunning), ctr("c", 3, engine.StatusRunning)
	list := []*engine.Container{a, b, c}
	bExited, d := ctr("b", 2, engine.StatusExited), ctr("d", 0, engine.StatusCreated)
	for _, tc := range []struct {
		name  string
		ids   []string
		fresh []*engine.Container
		want  []*engine.Container
	}{
		{"nothing asked", nil, nil, list},
		{"one changed", []string{"b"}, []*engine.Container{bExited}, []*engine.Container{a, bExited, c}},
		{"one removed", []string{"c"}, nil, []*engine.Container{a, b}},
		{"one created, newest first", []string{"d"}, []*engine.Container{d}, []*engine.Container{d, a, b, c}},
		{"all at once", []string{"a", "b", "d"}, []*engine.Container{d, bExited}, []*engine.Container{d, bExited, c}},
		{"asked, gone, never listed", []string{"e"}, nil, list},
	} {
		got := PatchList(list, tc.ids, tc.fresh)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, ids(got), ids(tc.want))
		}
		if !slices.Equal(list, []*engine.Container{a, b, c}) {
			t.Fatalf("%s: PatchList changed its list", tc.name)
		}
	}
}

func ids(cs []*engine.Container) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID + ":" + string(c.State.Status)
	}
	return out
}

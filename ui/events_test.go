package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"berth/engine/events"
)

// eventsBackend is demoBackend with a host's event log: containers, an
// image, a network and a volume; eventFeed takes what comes next.
func eventsBackend() *fakeBackend {
	b := demoBackend()
	at := func(ago time.Duration) time.Time { return testNow.Add(-ago) }
	b.hostEvents = []events.Event{
		{Time: at(2 * time.Hour), Type: events.TypeImage, Action: events.ActionPull, ID: "busybox:latest", Name: "busybox:latest"},
		{Time: at(90 * time.Minute), Type: events.TypeNetwork, Action: events.ActionCreate, ID: id('n'),
			Attributes: map[string]string{"name": "backend", "type": "bridge"}},
		{Time: at(90 * time.Minute), Type: events.TypeVolume, Action: events.ActionCreate, ID: "data",
			Attributes: map[string]string{"driver": "local"}},
		{Time: at(time.Hour), Type: events.TypeContainer, Action: events.ActionCreate, ID: id('a'), Name: "web",
			Attributes: map[string]string{"image": "busybox:latest", "name": "web"}},
		{Time: at(time.Hour), Type: events.TypeContainer, Action: events.ActionStart, ID: id('a'), Name: "web",
			Attributes: map[string]string{"image": "busybox:latest", "name": "web"}},
		{Time: at(time.Hour), Type: events.TypeNetwork, Action: events.ActionConnect, ID: id('n'),
			Attributes: map[string]string{"name": "backend", "container": id('a')}},
		{Time: at(30 * time.Minute), Type: events.TypeContainer, Action: events.ActionDie, ID: id('c'), Name: "old_job",
			Attributes: map[string]string{"image": "busybox:latest", "name": "old_job", "exitCode": "137"}},
		{Time: at(10 * time.Minute), Type: events.TypeContainer, Action: "exec_start: sh", ID: id('a'), Name: "web",
			Attributes: map[string]string{"image": "busybox:latest", "name": "web"}},
		{Time: at(5 * time.Minute), Type: events.TypeImage, Action: events.ActionTag, ID: "sha256:" + id('1'), Name: "busybox:stable"},
	}
	b.eventFeed = make(chan events.Event, 16)
	return b
}

// openEvents goes to the events screen the way a user does: tab twice.
func openEvents(t *testing.T, b *fakeBackend) model {
	t.Helper()
	m := newTestModel(t, b)
	m = press(t, m, "tab", "tab")
	if m.state != stateEvents {
		t.Fatalf("tab tab opened %s", m.state)
	}
	return await(t, m, "the event log", func(m model) bool { return len(m.events.all) == len(b.hostEvents) })
}

func TestEventsScreen(t *testing.T) {
	b := eventsBackend()
	m := openEvents(t, b)
	golden(t, "events", m)
	if r := m.events.selected(); r == nil || r.Action != events.ActionTag {
		t.Errorf("cursor on %+v, want the newest event (the last row)", r)
	}

	// A new event shows at the bottom and the cursor follows it.
	b.eventFeed <- events.Event{Time: testNow, Type: events.TypeContainer, Action: events.ActionStop, ID: id('b'), Name: "ticker"}
	m = await(t, m, "the new event", func(m model) bool { return strings.Contains(screen(m), "ticker") })
	if r := m.events.selected(); r == nil || r.Name != "ticker" {
		t.Errorf("cursor on %+v after a new event, want it followed", r)
	}

	// Help lists the screen's keys, from the key map.
	m = press(t, m, "?")
	for _, want := range []string{"Keys of Events", "t           type filter", "a           action filter", "p           pause/follow", "enter/h     timeline", "i           inspect"} {
		if !strings.Contains(screen(m), want) {
			t.Errorf("help lacks %q:\n%s", want, screen(m))
		}
	}
	m = press(t, m, "esc")

	// tab goes on to the containers.
	m = press(t, m, "tab")
	if m.state != stateContainers || m.events.stream != nil {
		t.Errorf("tab from events: %s, stream still open %v", m.state, m.events.stream != nil)
	}
}

func TestEventsFilter(t *testing.T) {
	m := openEvents(t, eventsBackend())
	m = press(t, m, "/")
	m = typeText(t, m, "web")
	m = press(t, m, "enter")
	golden(t, "events_filter", m)
	// web's create, start and exec (the network's connect names web by
	// its ID only).
	if got := len(m.events.rows); got != 3 {
		t.Errorf("web: %d rows, want 3", got)
	}

	// A docker filter in the prompt: the network's events.
	m = press(t, m, "esc", "/")
	m = typeText(t, m, "type=network")
	m = press(t, m, "enter")
	if got := len(m.events.rows); got != 2 {
		t.Errorf("type=network: %d rows, want 2", got)
	}

	// Quick filters: t cycles the type; a offers the actions.
	m = press(t, m, "esc", "t")
	if m.events.typ != events.TypeContainer || len(m.events.rows) != 4 {
		t.Errorf("t: type %q, %d rows, want container, 4", m.events.typ, len(m.events.rows))
	}
	m = press(t, m, "a")
	if m.dialog == nil || !strings.Contains(screen(m), "exec_start") || strings.Contains(screen(m), "  pull") {
		t.Fatalf("a: the container actions menu, got\n%s", screen(m))
	}
	m = press(t, m, "down", "down", "enter") // every action, create, die
	if m.events.action != events.ActionDie || len(m.events.rows) != 1 || m.events.rows[0].Name != "old_job" {
		t.Errorf("action menu: %q, %d rows", m.events.action, len(m.events.rows))
	}
	if !strings.Contains(screen(m), "type: container · action: die") {
		t.Errorf("the info line lacks the quick filters:\n%s", screen(m))
	}
	m = press(t, m, "esc")
	if m.events.typ != "" || m.events.action != "" || len(m.events.rows) != 9 {
		t.Errorf("esc left type %q action %q, %d rows", m.events.typ, m.events.action, len(m.events.rows))
	}
}

func TestEventsPause(t *testing.T) {
	b := eventsBackend()
	m := openEvents(t, b)
	m = press(t, m, "p")
	before := m.events.view()
	for _, name := range []string{"one", "two"} {
		b.eventFeed <- events.Event{Time: testNow, Type: events.TypeContainer, Action: events.ActionCreate, ID: id('e'), Name: name}
	}
	m = await(t, m, "two new events", func(m model) bool { return len(m.events.pending) == 2 })
	after := m.events.view()
	if strings.Contains(after, "one") || !strings.Contains(after, "paused · 2 new") {
		t.Errorf("paused view moved or lacks the count:\n%s", after)
	}
	if strings.Replace(after, "paused · 2 new", "paused · 0 new", 1) != before {
		t.Errorf("paused view changed beyond the count:\n%s\nwas\n%s", after, before)
	}
	golden(t, "events_paused", m)
	m = press(t, m, "p")
	if r := m.events.selected(); r == nil || r.Name != "two" || !strings.Contains(screen(m), "following") {
		t.Errorf("p again: cursor on %+v, want the newest", r)
	}
}

func TestEventsMoveAndOpen(t *testing.T) {
	m := openEvents(t, eventsBackend())
	m = press(t, m, "g")
	if m.events.nav.Cursor != 0 {
		t.Errorf("g: cursor %d", m.events.nav.Cursor)
	}
	m = press(t, m, "enter")
	if m.state != stateEvents || !strings.Contains(m.status, "not a container's event") {
		t.Errorf("enter on an image's event: %s %q", m.state, m.status)
	}
	m = press(t, m, "f")
	if m.events.nav.Cursor != len(m.events.rows)-1 {
		t.Errorf("pgdown: cursor %d of %d", m.events.nav.Cursor, len(m.events.rows))
	}
	m = press(t, m, "b", "G", "up", "up")
	if r := m.events.selected(); r.ID != id('c') {
		t.Fatalf("cursor on %+v, want old_job's die", r)
	}
	m = press(t, m, "enter")
	if m.state != stateTimeline || m.timeline.ref != id('c') || m.timeline.name != "old_job" {
		t.Fatalf("enter: %s on %q", m.state, m.timeline.name)
	}
	m = press(t, m, "esc", "i")
	if m.state != stateInspect || m.inspect.ref != id('c') {
		t.Errorf("esc, i: %s on %q", m.state, m.inspect.ref)
	}
	m = press(t, m, "esc")
	if m.state != stateEvents || m.events.stream == nil {
		t.Errorf("back from inspect: %s, following %v", m.state, m.events.stream != nil)
	}
}

// The events screen's keys may not take another of its keys.
func TestEventsKeysConflict(t *testing.T) {
	_, refused, err := loadKeys(keysFileWith(t, `{"events.type": "p"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 1 || !errors.Is(refused[0], ErrKeyConflict) || !strings.Contains(refused[0].Error(), "events.pause") {
		t.Errorf("refused %v", refused)
	}
}

func TestEventQuery(t *testing.T) {
	web := events.Event{Type: events.TypeContainer, Action: events.ActionDie, ID: id('a'), Name: "web",
		Attributes: map[string]string{"image": "busybox:latest", "exitCode": "137", "com.example.tier": "front"}}
	img := events.Event{Type: events.TypeImage, Action: events.ActionTag, ID: "sha256:" + id('1'), Name: "busybox:stable"}
	exec := events.Event{Type: events.TypeContainer, Action: "exec_start: sh -c date", ID: id('b'), Name: "ticker"}
	for _, tc := range []struct {
		text, typ, action string
		want              []bool // web, img, exec
	}{
		{"", "", "", []bool{true, true, true}},
		{"WEB", "", "", []bool{true, false, false}},
		{"busybox", "", "", []bool{true, true, false}},
		{"die 137", "", "", []bool{true, false, false}},
		{"die 138", "", "", []bool{false, false, false}},
		{"tier=front", "", "", []bool{true, false, false}},
		{"aaaaaaaa", "", "", []bool{true, false, false}},
		{"type=image", "", "", []bool{false, true, false}},
		{"image=busybox", "", "", []bool{true, true, false}},
		{"label=com.example.tier=front", "", "", []bool{true, false, false}},
		{"container=tick", "", "", []bool{false, false, true}},
		{"", events.TypeContainer, "", []bool{true, false, true}},
		{"", "", events.ActionExecStart, []bool{false, false, true}},
		{"date", events.TypeContainer, events.ActionExecStart, []bool{false, false, true}},
		{"", events.TypeImage, events.ActionDie, []bool{false, false, false}},
	} {
		q := parseEventQuery(tc.text, tc.typ, tc.action)
		for i, e := range []events.Event{web, img, exec} {
			if got := q.match(e); got != tc.want[i] {
				t.Errorf("%q type %q action %q on %s %s: %v, want %v", tc.text, tc.typ, tc.action, e.Name, e.Action, got, tc.want[i])
			}
		}
	}
	if got := baseAction("exec_start: sh -c date"); got != events.ActionExecStart {
		t.Errorf("baseAction = %q", got)
	}
	if typ := nextEventType(events.TypeVolume); typ != "" {
		t.Errorf("after volume comes %q, want every type", typ)
	}
}

// With several hosts the screen is the current host's: picking another
// shows that one's events.
func TestEventsFollowTheCurrentHost(t *testing.T) {
	m, local, far := twoHosts(t)
	local.hostEvents = []events.Event{{Time: testNow, Type: events.TypeContainer, Action: events.ActionStart, ID: id('a'), Name: "near_one"}}
	far.hostEvents = []events.Event{{Time: testNow, Type: events.TypeContainer, Action: events.ActionStart, ID: id('a'), Name: "far_one"}}
	m = press(t, m, "tab", "tab")
	m = await(t, m, "local's events", func(m model) bool { return strings.Contains(screen(m), "near_one") })
	m = step(t, m, hostPickMsg{host: 1})
	m = await(t, m, "far's events", func(m model) bool { return strings.Contains(screen(m), "far_one") })
	if strings.Contains(screen(m), "near_one") || m.state != stateEvents {
		t.Errorf("after picking far:\n%s", screen(m))
	}
}

// The screen keeps the newest eventsKept events; a cursor off the end
// stays on its event as the oldest go.
func TestEventsKeepTheNewest(t *testing.T) {
	m := openEvents(t, eventsBackend())
	ev := m.events.pause(false)
	ev.nav.home() // the image's pull, the oldest: it will go
	ev.nav.move(5)
	on := ev.selected()
	batch := make([]events.Event, eventsKept+eventsSlack-len(ev.all)+1)
	for i := range batch {
		batch[i] = events.Event{Time: testNow, Type: events.TypeVolume, Action: events.ActionCreate, ID: "v"}
	}
	ev = ev.add(batch)
	if len(ev.all) != eventsKept || len(ev.rows) != eventsKept {
		t.Fatalf("kept %d events, %d rows, want %d", len(ev.all), len(ev.rows), eventsKept)
	}
	if ev.selected() == on {
		t.Errorf("the cursor's event %v should have gone", on.Action)
	}
	ev.nav.end()
	ev.nav.move(-3)
	on = ev.selected()
	ev = ev.add(batch[:eventsSlack+1])
	if ev.selected() != on {
		t.Errorf("cursor moved off its event: on %+v, want %+v", ev.selected(), on)
	}
	if ev.all[0].Type != events.TypeVolume || len(ev.all) != eventsKept {
		t.Errorf("after a second batch: %d kept, oldest %s", len(ev.all), ev.all[0].Type)
	}
}

package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/engine/events"
	"berth/host"
)

// watchedModel is a model over b whose host's events are followed
// (b.changeFeed), listed once since the follow opened, with the counts
// of lists forgotten; its clock is *clock.
func watchedModel(t *testing.T, b *fakeBackend, clock *time.Time) model {
	t.Helper()
	b.changeFeed = make(chan events.Event, 16)
	m := newTestModel(t, b)
	for _, sh := range m.sh.hosts {
		sh.now = func() time.Time { return *clock }
	}
	m = await(t, m, "the follow of the events", func(m model) bool { return m.containers.watch.streams[0] != nil })
	m = step(t, m, tickMsg{}) // the list of every container the follow's opening asks for
	forgetLists(b)
	return m
}

func forgetLists(b *fakeBackend) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.listCalls, b.allLists, b.idLists, b.statsCalls = 0, 0, nil, 0
}

// lists is what the list asked b since forgetLists: lists of every
// container and the IDs of each list of given ones.
func lists(b *fakeBackend) (int, [][]string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.allLists, slices.Clone(b.idLists)
}

// change changes the fake's container id under its lock.
func change(b *fakeBackend, id string, fn func(c *engine.Container)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.containers {
		if c.ID == id {
			fn(c)
			return
		}
	}
}

// While the host's events are followed, a tick lists no container; an
// event has the container it names, and only it, listed again at once
// (no tick needed): a stop, a rename, a health status, a container
// created and one removed by another process.
func TestListFollowsEvents(t *testing.T) {
	b := demoBackend()
	clock := testNow
	m := watchedModel(t, b, &clock)
	for range 3 {
		m = step(t, m, tickMsg{})
	}
	if all, some := lists(b); all != 0 || len(some) != 0 {
		t.Fatalf("idle ticks listed every container %d times and some %v", all, some)
	}
	b.mu.Lock()
	stats := b.statsCalls
	b.mu.Unlock()
	if stats == 0 {
		t.Errorf("idle ticks sampled no stats of the rows on screen")
	}

	send := func(action, cid string) {
		b.changeFeed <- events.Event{Time: testNow, Type: events.TypeContainer, Action: action, ID: cid}
	}
	for _, tc := range []struct {
		name   string
		do     func()
		action string
		id     string
		shows  func(scr string) bool
	}{
		{"stop", func() {
			change(b, id('b'), func(c *engine.Container) {
				c.State.Status, c.State.ExitCode, c.State.FinishedAt = engine.StatusExited, 143, testNow
			})
		}, events.ActionDie, id('b'), func(scr string) bool { return strings.Contains(scr, "Exited (143)") }},
		{"rename", func() { change(b, id('a'), func(c *engine.Container) { c.Name = "/renamed" }) },
			events.ActionRename, id('a'), func(scr string) bool { return strings.Contains(scr, "renamed") && !strings.Contains(scr, " web ") }},
		{"health", func() {
			change(b, id('a'), func(c *engine.Container) { c.State.Health = &engine.Health{Status: engine.HealthUnhealthy} })
		}, "health_status: unhealthy", id('a'), func(scr string) bool { return strings.Contains(scr, "unhealthy") }},
		{"create", func() {
			b.mu.Lock()
			c := *b.containers[2]
			c.ID, c.Name, c.Created = id('e'), "/newcomer", testNow
			b.containers = append(b.containers, &c)
			b.mu.Unlock()
		}, events.ActionCreate, id('e'), func(scr string) bool { return strings.Contains(scr, "newcomer") }},
		{"remove", func() {
			b.mu.Lock()
			b.containers = slices.DeleteFunc(b.containers, func(c *engine.Container) bool { return c.ID == id('c') })
			b.mu.Unlock()
		}, events.ActionDestroy, id('c'), func(scr string) bool { return !strings.Contains(scr, "old_job") }},
	} {
		forgetLists(b)
		tc.do()
		send(tc.action, tc.id)
		m = await(t, m, tc.name+" shown", func(m model) bool { return tc.shows(screen(m)) })
		if all, some := lists(b); all != 0 || fmt.Sprint(some) != fmt.Sprint([][]string{{tc.id}}) {
			t.Errorf("%s: listed every container %d times and %v, want %s alone", tc.name, all, some, tc.id)
		}
	}
	if scr := screen(m); !strings.Contains(scr, "CONTAINERS 2/4") {
		t.Errorf("the header's counts did not follow:\n%s", scr)
	}

	// An exec changes nothing a list shows: nothing is listed.
	forgetLists(b)
	send("exec_start: sh", id('a'))
	m = settleLate(t, m)
	if all, some := lists(b); all != 0 || len(some) != 0 {
		t.Errorf("an exec listed every container %d times and %v", all, some)
	}

	// Every container is listed all the same every host.ListAllEvery.
	clock = clock.Add(host.ListAllEvery)
	m = step(t, m, tickMsg{})
	if all, _ := lists(b); all != 1 {
		t.Errorf("after %v, %d lists of every container, want 1", host.ListAllEvery, all)
	}
}

// A follow that ends has every container listed at each tick, as before
// there were events, until a follow opens again (at most every
// host.ListAllEvery); then the ticks list nothing again.
func TestListWithoutEvents(t *testing.T) {
	b := demoBackend()
	clock := testNow
	m := watchedModel(t, b, &clock)
	close(b.changeFeed)
	m = await(t, m, "the follow's end", func(m model) bool { return m.containers.watch.streams[0] == nil })
	b.mu.Lock()
	b.changeFeed = make(chan events.Event, 16)
	b.mu.Unlock()
	forgetLists(b)
	for range 3 {
		m = step(t, m, tickMsg{})
	}
	if all, _ := lists(b); all != 3 {
		t.Errorf("3 ticks without events listed every container %d times, want 3", all)
	}
	if m.containers.watch.streams[0] != nil {
		t.Fatalf("followed again before %v", host.ListAllEvery)
	}
	clock = clock.Add(host.ListAllEvery)
	m = step(t, m, tickMsg{})
	m = await(t, m, "the follow again", func(m model) bool { return m.containers.watch.streams[0] != nil })
	m = step(t, m, tickMsg{}) // the list of every container the follow's opening asks for
	forgetLists(b)
	for range 3 {
		m = step(t, m, tickMsg{})
	}
	if all, some := lists(b); all != 0 || len(some) != 0 {
		t.Errorf("followed again, ticks listed every container %d times and %v", all, some)
	}
}

// Events that arrive while a read is under way are read once it is
// answered.
func TestEventsDuringARead(t *testing.T) {
	b := demoBackend()
	clock := testNow
	m := watchedModel(t, b, &clock)
	m.containers.hostRows.inFlight[0] = true // a tick's read, not yet answered
	change(b, id('b'), func(c *engine.Container) { c.Name = "/retitled" })
	b.changeFeed <- events.Event{Time: testNow, Type: events.TypeContainer, Action: events.ActionRename, ID: id('b')}
	m = await(t, m, "the event", func(m model) bool { return m.containers.watch.lists[0].Named() })
	if _, some := lists(b); len(some) != 0 {
		t.Fatalf("read %v while a read was under way", some)
	}
	m = step(t, m, containersMsg{gen: m.containers.gen, stats: map[string]*engine.Stats{}})
	m = await(t, m, "the rename shown", func(m model) bool { return strings.Contains(screen(m), "retitled") })
	if _, some := lists(b); fmt.Sprint(some) != fmt.Sprint([][]string{{id('b')}}) {
		t.Errorf("after the answer, listed %v; want %s", some, id('b'))
	}
}

// A read under way when the list takes a new generation (another tab
// and back) is dropped: what it was to list is listed again.
func TestReadDroppedByReopen(t *testing.T) {
	b := demoBackend()
	clock := testNow
	m := watchedModel(t, b, &clock)
	// A read of b under way, as an event about it asked for.
	m.containers.hostRows.inFlight[0] = true
	m.containers.watch.asked[0] = listAsk{ids: []string{id('b')}}
	change(b, id('b'), func(c *engine.Container) { c.Name = "/retitled" })
	for _, to := range []state{stateImages, stateContainers} {
		next, cmd := m.switchTo(to)
		m = settle(t, next.(model), cmd)
	}
	m = await(t, m, "the rename shown", func(m model) bool { return strings.Contains(screen(m), "retitled") })
	if all, some := lists(b); all != 0 || fmt.Sprint(some) != fmt.Sprint([][]string{{id('b')}}) {
		t.Errorf("listed every container %d times and %v, want %s alone", all, some, id('b'))
	}
}

// A read that fails has every container listed at the next refresh.
func TestFailedReadListsAll(t *testing.T) {
	b := demoBackend()
	clock := testNow
	m := watchedModel(t, b, &clock)
	b.mu.Lock()
	b.listFail = errors.New("disk on fire")
	b.mu.Unlock()
	b.changeFeed <- events.Event{Time: testNow, Type: events.TypeContainer, Action: events.ActionStop, ID: id('b')}
	m = await(t, m, "the failed read", func(m model) bool { return strings.Contains(screen(m), "disk on fire") })
	b.mu.Lock()
	b.listFail = nil
	b.mu.Unlock()
	forgetLists(b)
	m = step(t, m, tickMsg{})
	if all, some := lists(b); all != 1 || len(some) != 0 {
		t.Errorf("after a failed read, listed every container %d times and %v; want once", all, some)
	}
}

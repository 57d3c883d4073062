package ui

import (
	"fmt"
	"strings"
	"testing"

	"berth/engine"
)

// manyContainers adds n running containers to b, more than a screen
// shows, and forgets the calls so far.
func manyContainers(b *fakeBackend, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range n {
		c := *b.containers[0]
		c.ID, c.Name = fmt.Sprintf("%064x", i+1000), fmt.Sprintf("/zz%03d", i)
		b.containers = append(b.containers, &c)
		b.stats[c.ID] = &engine.Stats{Time: testNow}
	}
	b.statsCalls, b.listCalls, b.wholeLists = 0, 0, 0
}

// statsPerTick is the stats each of n ticks reads.
func statsPerTick(t *testing.T, m model, b *fakeBackend, n int) (model, []int) {
	t.Helper()
	var reads []int
	for range n {
		b.mu.Lock()
		b.statsCalls = 0
		b.mu.Unlock()
		m = step(t, m, tickMsg{})
		b.mu.Lock()
		reads = append(reads, b.statsCalls)
		b.mu.Unlock()
	}
	return m, reads
}

func TestStatsOnlyForRowsOnScreen(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	manyContainers(b, 200)
	m = step(t, m, tickMsg{}) // the new rows are listed
	m, reads := statsPerTick(t, m, b, 2*statsAllEvery)
	onScreen := m.containers.listHeight()
	for i, n := range reads {
		if n > onScreen {
			t.Errorf("refresh %d read %d stats; %d rows are on screen (of %d)", i, n, onScreen, len(m.containers.rows))
		}
	}
}

// Watching lists every container each second: brief records, which the
// engine shares with its cache, not whole ones (9 KiB a container, on
// screen or not).
func TestWatchingListsBrief(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	manyContainers(b, 500)
	for range 3 {
		m = step(t, m, tickMsg{})
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.listCalls == 0 || b.wholeLists != 0 {
		t.Errorf("%d of %d lists asked for whole records", b.wholeLists, b.listCalls)
	}
}

func TestStatsSortSamplesAllCoarsely(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	manyContainers(b, 200)
	m = press(t, m, "C") // sort by CPU
	if m.containers.sortBy != 5 {
		t.Fatalf("sorted by column %d, want CPU", m.containers.sortBy)
	}
	m = step(t, m, tickMsg{})
	m, reads := statsPerTick(t, m, b, 2*statsAllEvery)
	onScreen, all := m.containers.listHeight(), 0
	for i, n := range reads {
		if n > onScreen {
			all++
			if n < 200 {
				t.Errorf("refresh %d read %d stats: neither the rows on screen (%d) nor all", i, n, onScreen)
			}
		}
	}
	if all != 2 {
		t.Errorf("%d of %d refreshes read every container's stats (%v), want one in %d", all, len(reads), reads, statsAllEvery)
	}
}

func TestNoListRefreshUnderLogs(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "l")
	if m.state != stateLogs {
		t.Fatalf("on %v, want the logs", m.state)
	}
	b.mu.Lock()
	b.listCalls, b.statsCalls = 0, 0
	b.mu.Unlock()
	var lists []int
	for range 2 * coveredListEvery {
		before := b.listCalls
		m = step(t, m, tickMsg{})
		b.mu.Lock()
		lists = append(lists, b.listCalls-before)
		b.mu.Unlock()
	}
	want := make([]int, 2*coveredListEvery)
	want[coveredListEvery-1], want[2*coveredListEvery-1] = 1, 1
	if fmt.Sprint(lists) != fmt.Sprint(want) {
		t.Errorf("lists per tick under the logs screen = %v, want %v (the header's counts only)", lists, want)
	}
	if b.statsCalls != 0 {
		t.Errorf("the logs screen read %d container stats for the list it covers", b.statsCalls)
	}
	// Back on the list, it refreshes at once.
	before := b.listCalls
	m = press(t, m, "esc")
	if m.state != stateContainers || b.listCalls == before {
		t.Errorf("back on %v after %d lists; want the list, refreshed", m.state, b.listCalls-before)
	}
}

func TestColumnFitReusedWhileRowsUnchanged(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	before := screen(m)
	// A name grown behind the model's back: a frame draws with the fit
	// of the last listing (so it measures no row) ...
	long := "/a-name-much-longer-than-any-other"
	m.containers.rows[0].Name = long
	if got := screen(m); strings.Contains(got, strings.TrimPrefix(long, "/")) || !strings.Contains(got, "a-name…") {
		t.Errorf("a frame measured the rows again:\nbefore\n%s\nafter\n%s", before, got)
	}
	// ... and the next listing fits the columns to it.
	m.containers = m.containers.relist()
	if got := screen(m); !strings.Contains(got, strings.TrimPrefix(long, "/")) {
		t.Errorf("the relisted rows were not fitted again:\n%s", got)
	}
}

// TestFirstListSamplesRowsOnScreen: the first list reads no stats of
// containers it cannot know to be on screen; the rows on screen have
// theirs right after.
func TestFirstListSamplesRowsOnScreen(t *testing.T) {
	b := demoBackend()
	manyContainers(b, 200)
	m := newTestModel(t, b)
	m = await(t, m, "the rows' stats", func(m model) bool { return len(m.containers.last) > 0 })
	b.mu.Lock()
	reads := b.statsCalls
	b.mu.Unlock()
	if onScreen := m.containers.listHeight(); reads > onScreen {
		t.Errorf("the first lists read %d stats; %d rows are on screen (of %d)", reads, onScreen, len(m.containers.rows))
	}
	if s := screen(m); !strings.Contains(s, "12MiB / 2GiB") {
		t.Errorf("web's memory is not on screen after the first lists:\n%s", s)
	}
}

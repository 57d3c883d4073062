package ui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"berth/engine"
)

// refreshed is m's containers list after one refresh answering the
// backend's containers as they are now, each a fresh copy (as the
// engine returns them), without stats.
func refreshed(m containersModel, b *fakeBackend) containersModel {
	b.mu.Lock()
	list := make([]*engine.Container, len(b.containers))
	for i, c := range b.containers {
		cp := *c
		list[i] = &cp
	}
	b.mu.Unlock()
	m.hostRows, _ = m.hostRows.ask()
	m.reloads++ // as reload does
	m, _ = m.update(containersMsg{gen: m.gen, ask: listAsk{all: true}, list: list})
	return m
}

// TestRefreshMeasuresRowsOnScreen: a refresh sizes the columns to the
// rows on screen and the widths measured of the others, so that its
// cost does not grow with the rows off screen; every statsAllEvery
// refreshes it measures them all.
func TestRefreshMeasuresRowsOnScreen(t *testing.T) {
	mallocsPerRow := func(n int) float64 {
		b := demoBackend()
		m := newTestModel(t, b)
		manyContainers(b, n)
		c := refreshed(m.containers, b)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range statsAllEvery {
			c = refreshed(c, b)
		}
		runtime.ReadMemStats(&after)
		return float64(after.Mallocs-before.Mallocs) / statsAllEvery
	}
	small, large := mallocsPerRow(100), mallocsPerRow(1000)
	// The copy refreshed makes and the measure of every row each
	// statsAllEvery refreshes are about two allocations a row; measuring
	// every row at every refresh made it seven.
	if per := (large - small) / 900; per > 4 {
		t.Errorf("a refresh allocates %.1f times more per container off screen (%.0f with 100, %.0f with 1000), want at most 4", per, small, large)
	}
}

// TestColumnsFollowRowsOffScreen: a name that grows on screen widens its
// column at the next refresh, one that grows off screen within
// statsAllEvery refreshes, and one that shrinks off screen lets the
// column narrow as soon.
func TestColumnsFollowRowsOffScreen(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	manyContainers(b, 100)
	c := refreshed(m.containers, b)
	from, to := c.nav.visible()
	if to-from >= len(c.rows) {
		t.Fatalf("all %d rows on screen", len(c.rows))
	}
	nameWidth := func(c containersModel) int { return c.fit.widths[c.fit.at(1)] }
	rename := func(name, to string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, c := range b.containers {
			if c.Name == name {
				c.Name = to
				return
			}
		}
		t.Fatalf("no container %s", name)
	}
	base := nameWidth(c)

	onScreen := "/" + c.rows[from].DisplayName()
	rename(onScreen, onScreen+strings.Repeat("x", 8))
	if c = refreshed(c, b); nameWidth(c) != max(base, len(onScreen)-1+8) {
		t.Errorf("NAME %d wide after a name on screen grew by 8, want %d", nameWidth(c), max(base, len(onScreen)-1+8))
	}
	rename(onScreen+strings.Repeat("x", 8), onScreen)

	offScreen := "/zz099" // the last by name
	rename(offScreen, offScreen+strings.Repeat("y", 12))
	var widths []int
	for range statsAllEvery {
		c = refreshed(c, b)
		widths = append(widths, nameWidth(c))
	}
	if want := max(base, len(offScreen)-1+12); widths[len(widths)-1] != want || widths[0] > want {
		t.Errorf("NAME widths over %d refreshes after a name off screen grew by 12: %v, want %d at last", statsAllEvery, widths, want)
	}
	rename(offScreen+strings.Repeat("y", 12), offScreen)
	widths = nil
	for range statsAllEvery {
		c = refreshed(c, b)
		widths = append(widths, nameWidth(c))
	}
	if widths[len(widths)-1] != base {
		t.Errorf("NAME widths over %d refreshes after that name shrank back: %v, want %d at last", statsAllEvery, widths, base)
	}
	if full := c.refit(); fmt.Sprint(full.fit) != fmt.Sprint(c.fit) {
		t.Errorf("after %d refreshes the columns are %v; measured again %v", statsAllEvery, c.fit, full.fit)
	}
}

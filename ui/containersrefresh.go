package ui

import (
	"slices"

	tea "charm.land/bubbletea/v2"
)

// What the containers list reads each second, so that watching costs
// the same with 10 containers or 500: stats only for the rows on
// screen, and of the list (the header's counts, the rows) only what the
// host's events named since (containerswatch.go). A row scrolled into
// view is sampled at the next refresh; until then it shows its last
// sample, if it had one.

// statsAllEvery is how many refreshes pass between samples of every
// container when the list is sorted by a stats figure (the order needs
// every figure; the rows off screen have a coarser one).
const statsAllEvery = 5

// coveredListEvery is how many ticks pass between lists while another
// screen covers the containers list: the list then only feeds the
// header's counts, which may lag that long.
const coveredListEvery = 5

// toSample is the containers whose stats the next refresh reads: the
// rows on screen (none before a host's first list: firstListed samples
// them once it is in), and all of them on the first refresh and every
// statsAllEvery refreshes when the sort needs every figure. nil means
// all.
func (m containersModel) toSample() map[string]bool {
	if slices.Contains(statsSorts, m.sortBy) && (!m.loaded || m.reloads%statsAllEvery == 0) {
		return nil
	}
	ids := map[string]bool{}
	from, to := m.nav.visible()
	for i := from; i < to; i++ {
		if c := m.rows[i]; c != nil {
			ids[m.keyOf(c)] = true
		}
	}
	return ids
}

// tickCovered is a tick while another screen covers the list: every
// coveredListEvery ticks the list is read again, without stats, for the
// header's counts.
func (m containersModel) tickCovered() (containersModel, tea.Cmd) {
	m.covered++
	if m.covered%coveredListEvery != 0 {
		return m, nil
	}
	return m.reload(false)
}

// firstListed follows a host's first list, which sampled no stats
// unless the sort needed them all (which rows would be on screen was
// not known): it refreshes at once, sampling the rows on screen.
func (m containersModel) firstListed() (containersModel, tea.Cmd) {
	if slices.Contains(statsSorts, m.sortBy) {
		return m, nil
	}
	return m.reload(true)
}

package ui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// refit sizes the columns again, for views to draw with (m.fit): a
// frame measures no row. It runs when what the rows show may have
// changed: they were listed (relistKeeping), the width changed
// (setSize), or a row's transitional state did (setBusy).
func (m containersModel) refit() containersModel {
	m.fit, m.natural = m.layout(m.sh.now(), 0, len(m.rows), nil)
	return m
}

// refitRefreshed is refit after a refresh, whose cost must not grow
// with the rows off screen: it measures the rows on screen and takes
// for the others the widths the last refit measured. Every
// statsAllEvery refreshes it measures every row again, so that a column
// follows a change off screen within seconds.
func (m containersModel) refitRefreshed() containersModel {
	from, to := m.nav.visible()
	if m.reloads%statsAllEvery == 0 || to-from >= len(m.rows) {
		return m.refit()
	}
	m.fit, _ = m.layout(m.sh.now(), from, to, m.natural)
	return m
}

// setBusy takes the rows' transitional states (actions.go).
func (m containersModel) setBusy(busy map[string]string) containersModel {
	m.busy = busy
	return m.refit()
}

// layout sizes the list's columns at the screen's width to what every
// row shows (not only those on screen, so scrolling does not move
// them). It measures the rows from to to; measured, when it fits the
// columns, is each column's widest cell among the other rows as last
// measured (nil: it measures every row). It returns the layout and
// each column's widest cell, measured's included.
func (m containersModel) layout(now time.Time, from, to int, measured []int) (tableLayout, []int) {
	t := m.table()
	cols := t.columns(containerColumns, m.width)
	own := make([]int, len(cols))
	for i := range own {
		own[i] = t.own(i)
	}
	natural := titleWidths(cols, slices.Index(own, m.sortBy))
	if len(measured) != len(natural) {
		from, to = 0, len(m.rows)
	} else {
		for i, w := range measured {
			natural[i] = max(natural[i], w)
		}
	}
	rows := make([][]cell, 0, to-from)
	for i := from; i < to; i++ {
		if c := m.rows[i]; c != nil {
			rows = append(rows, t.cells(m.rowCells(i, now), m.hostOf[c]))
		}
	}
	natural = widenTo(natural, rows)
	return fitWidths(cols, own, natural, m.width), natural
}

// rowCells is the cells of row i, a container's, its name indented
// under a compose heading.
func (m containersModel) rowCells(i int, now time.Time) []cell {
	c := m.rows[i]
	cells := m.cells(c, now)
	if d := m.depthAt(i); d > 0 {
		cells[1].Text = treeIndent(d) + shortName(c)
	}
	return cells
}

// descFirst are the columns whose sort starts with the largest figure
// (restarts, CPU, memory, pids, network), as htop's and k9s's do.
var descFirst = []int{4, 5, 7, 8, 9}

// sortOn sorts by column col; again, when it already is the sort and
// again says so, it reverses the order.
func (m containersModel) sortOn(col int, again bool) containersModel {
	if again && m.sortBy == col {
		m.desc = !m.desc
	} else {
		m.sortBy, m.desc = col, slices.Contains(descFirst, col)
	}
	return m.relist()
}

// sortKey is the column a direct sort key names.
func (m containersModel) sortKey(msg tea.KeyPressMsg) (int, bool) {
	k := &m.sh.keys.Containers
	for _, s := range []struct {
		col int
		b   key.Binding
	}{
		{1, k.SortName}, {2, k.SortImage}, {3, k.SortStatus}, {4, k.SortRestarts}, {5, k.SortCPU},
		{7, k.SortMem}, {8, k.SortPids}, {9, k.SortNet}, {10, k.SortPorts},
	} {
		if matches(msg, s.b) {
			return s.col, true
		}
	}
	return 0, false
}

// sortKeysHelp is the direct sort keys for help.
func sortKeysHelp(k *containerKeys) []key.Binding {
	return []key.Binding{k.SortName, k.SortImage, k.SortStatus, k.SortRestarts, k.SortCPU, k.SortMem, k.SortPids, k.SortNet, k.SortPorts}
}

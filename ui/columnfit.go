package ui

import (
	"slices"

	"github.com/charmbracelet/x/ansi"
)

// tableLayout is a table sized to its content: the columns kept on
// screen, for each the index of the column it is in the full list (own,
// -1 for one a hostTable added), and their widths.
type tableLayout struct {
	cols   []column
	own    []int
	idx    []int // each kept column's index in what fitWidths was given
	widths []int
}

// at is where the full list's column i is drawn, -1 when it was dropped.
func (l tableLayout) at(i int) int { return slices.Index(l.own, i) }

// pick is a row's cells in the kept columns.
func (l tableLayout) pick(cells []cell) []cell {
	out := make([]cell, len(l.idx))
	for shown, i := range l.idx {
		if i < len(cells) {
			out[shown] = cells[i]
		}
	}
	return out
}

// titleWidths is each column's width before any row: its title's, with
// room for the arrow on sorted.
func titleWidths(cols []column, sorted int) []int {
	natural := make([]int, len(cols))
	for i, c := range cols {
		natural[i] = ansi.StringWidth(c.Title)
		if i == sorted {
			natural[i]++
		}
	}
	return natural
}

// widenTo widens natural, a width per column, to rows' cells, and
// returns it.
func widenTo(natural []int, rows [][]cell) []int {
	for _, r := range rows {
		for i := range natural {
			if i < len(r) {
				natural[i] = max(natural[i], ansi.StringWidth(r[i].Text))
			}
		}
	}
	return natural
}

// fitWidths sizes cols, whose widest cells (or titles, titleWidths) are
// natural wide, in a table total wide (one space between columns): each
// column as wide as its widest cell, the spare given to the last. When
// that is too wide, the column with the highest Drop gives way: a Flex
// one is cut towards its Min first, then it goes; a Flex column that
// may not go (Drop 0) is cut last, so a column that matters less goes
// before one that matters more is cut. own names each column for
// tableLayout.own.
func fitWidths(cols []column, own, natural []int, total int) tableLayout {
	l := tableLayout{}
	for i := range cols {
		l.idx = append(l.idx, i)
		l.widths = append(l.widths, max(natural[i], 1))
	}
	l.giveWay(cols, total)
	for _, i := range l.idx {
		l.cols = append(l.cols, cols[i])
		l.own = append(l.own, own[i])
	}
	return l
}

// giveWay cuts and drops the kept columns until they fit in total.
func (l *tableLayout) giveWay(cols []column, total int) {
	for {
		need := len(l.widths) - 1
		for _, w := range l.widths {
			need += w
		}
		over := need - total
		if over <= 0 {
			l.widths[len(l.widths)-1] -= over
			return
		}
		k := l.victim(cols)
		if k < 0 {
			// Nothing may give way: cut from the last column back.
			for k := len(l.widths) - 1; k >= 0 && over > 0; k-- {
				cut := min(l.widths[k], over)
				l.widths[k] -= cut
				over -= cut
			}
			return
		}
		if c := cols[l.idx[k]]; c.Flex && l.widths[k] > max(c.Min, 1) {
			l.widths[k] -= min(over, l.widths[k]-max(c.Min, 1))
			continue
		}
		l.idx = slices.Delete(l.idx, k, k+1)
		l.widths = slices.Delete(l.widths, k, k+1)
	}
}

// victim is the kept column to give way next: the one with the highest
// Drop that may still be cut or dropped; -1 for none.
func (l *tableLayout) victim(cols []column) int {
	best := -1
	for k, i := range l.idx {
		c := cols[i]
		if c.Drop == 0 && (!c.Flex || l.widths[k] <= max(c.Min, 1)) {
			continue
		}
		if best < 0 || c.Drop > cols[l.idx[best]].Drop {
			best = k
		}
	}
	return best
}

package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// column is one column of a table: a fixed width, or flex to share what
// the fixed columns leave (in proportion to width, which is then a minimum).
type column struct {
	Title string
	Width int
	Flex  bool
	Right bool
	// Min and Drop are for tables sized to their content (fitWidths):
	// the narrowest a Flex column is cut to before columns are dropped,
	// and the order they are dropped in on a narrow screen, highest
	// first (0: never).
	Min  int
	Drop int
}

// cell is one table cell; its style is dropped on the cursor row, which
// is drawn in the cursor style as a whole.
type cell struct {
	Text  string
	Style *lipgloss.Style
}

func plain(s string) cell                      { return cell{Text: s} }
func styled(s string, st *lipgloss.Style) cell { return cell{Text: s, Style: st} }

// layoutColumns gives each column its width in a table total wide, one
// space between columns.
func layoutColumns(cols []column, total int) []int {
	widths := make([]int, len(cols))
	fixed, flexWeight := len(cols)-1, 0
	for i, c := range cols {
		widths[i] = c.Width
		fixed += c.Width
		if c.Flex {
			flexWeight += c.Width
		}
	}
	spare := total - fixed
	if spare <= 0 || flexWeight == 0 {
		return widths
	}
	given := 0
	last := -1
	for i, c := range cols {
		if c.Flex {
			extra := spare * c.Width / flexWeight
			widths[i] += extra
			given += extra
			last = i
		}
	}
	widths[last] += spare - given
	return widths
}

// fit truncates s to width cells (with an ellipsis) and pads it.
func fit(s string, width int, right bool) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		s = ansi.Truncate(s, width, "…")
		w = ansi.StringWidth(s)
	}
	pad := strings.Repeat(" ", width-w)
	if right {
		return pad + s
	}
	return s + pad
}

// renderHeader draws the column titles; sorted marks the sort column
// with an arrow.
func renderHeader(st *styles, cols []column, widths []int, sorted int, desc bool) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		title := c.Title
		style := st.ColumnHeader
		if i == sorted {
			if desc {
				title += "↓"
			} else {
				title += "↑"
			}
			style = st.SortedColumn
		}
		b.WriteString(style.Render(fit(title, widths[i], c.Right)))
	}
	return b.String()
}

// renderRow draws one row of cells into the column widths.
func renderRow(st *styles, cols []column, widths []int, cells []cell, cursor bool) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		text := ""
		var cs *lipgloss.Style
		if i < len(cells) {
			text, cs = cells[i].Text, cells[i].Style
		}
		text = fit(text, widths[i], c.Right)
		if cs != nil && !cursor {
			text = cs.Render(text)
		}
		b.WriteString(text)
	}
	if cursor {
		return st.Cursor.Render(b.String())
	}
	return b.String()
}

// listNav is the cursor and scroll offset of a list of n rows shown
// height rows at a time.
type listNav struct {
	Cursor, Offset, Height, N int
}

func (l *listNav) clamp() {
	l.Cursor = min(max(l.Cursor, 0), max(l.N-1, 0))
	if l.Height <= 0 {
		l.Offset = 0
		return
	}
	if l.Cursor < l.Offset {
		l.Offset = l.Cursor
	}
	if l.Cursor >= l.Offset+l.Height {
		l.Offset = l.Cursor - l.Height + 1
	}
	l.Offset = min(max(l.Offset, 0), max(l.N-l.Height, 0))
}

func (l *listNav) move(d int) { l.Cursor += d; l.clamp() }
func (l *listNav) home()      { l.Cursor = 0; l.clamp() }
func (l *listNav) end()       { l.Cursor = l.N - 1; l.clamp() }
func (l *listNav) resize(height, n int) {
	l.Height, l.N = height, n
	l.clamp()
}

// visible is the half-open range of rows on screen.
func (l *listNav) visible() (int, int) {
	return l.Offset, min(l.Offset+l.Height, l.N)
}

// pick puts the cursor on row y (0 = first row below the header); a y
// past the end leaves it.
func (l *listNav) pick(y int) {
	if i := l.clickRow(y); i >= 0 {
		l.Cursor = i
		l.clamp()
	}
}

// clickRow turns a row y (0 = first row below the header) into a row
// index, -1 when it is past the end.
func (l *listNav) clickRow(y int) int {
	i := l.Offset + y
	if y < 0 || i >= l.N {
		return -1
	}
	return i
}

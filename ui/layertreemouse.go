package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// The layers screen's clicks and copy, as on the other lists: a click
// in a pane focuses it and selects the row under the pointer; y copies
// the selected file's path, or the selected layer's digest when the
// layers have the focus. The wheel scrolls the focused pane (scroll).

// leftWidth is the width of the layers pane; the file tree takes what
// is left after the separator.
func (m layerFilesModel) leftWidth() int { return max(m.width*2/5, layerPaneMin) }

// click handles a left click at x, y of the screen's body: line 0 is
// the summary, then each pane's title and column header, then its rows.
func (m layerFilesModel) click(x, y int) (layerFilesModel, tea.Cmd) {
	if m.a == nil || len(m.a.Layers) == 0 || y < 1 {
		return m, nil
	}
	row := y - 3
	if x >= m.leftWidth() {
		m.onFiles = true
		if row < m.files.Height {
			m.files.pick(row)
		}
		return m, nil
	}
	m.onFiles = false
	if row >= m.layerRows() {
		return m, nil // the waste list below the layers
	}
	if i := m.layers.clickRow(row); i >= 0 && i != m.layers.Cursor {
		m.layers.Cursor = i
		m.layers.clamp()
		m.files.home()
		m = m.relayout()
	}
	return m, m.treeCmd()
}

func (m layerFilesModel) copyText() (string, string) {
	if m.onFiles {
		if r, ok := m.selectedRow(); ok {
			return r.e.Path, "the path " + r.e.Path
		}
		return "", ""
	}
	if m.a != nil && m.layers.Cursor < len(m.a.Layers) && m.a.Layers[m.layers.Cursor].DiffID != "" {
		return m.a.Layers[m.layers.Cursor].DiffID, fmt.Sprintf("the digest of layer %d", m.layers.Cursor+1)
	}
	return "", ""
}

package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"berth/images"
)

// copied is what y puts on the clipboard on the screen on view, "" for
// nothing.
func copied(t *testing.T, m model) string {
	t.Helper()
	_, cmd := m.Update(keyMsg("y"))
	if cmd == nil {
		return ""
	}
	c, ok := cmd().(clipboardMsg)
	if !ok {
		t.Fatalf("y gave no clipboard message")
	}
	return c.text
}

// The layers screen takes clicks, the wheel and y as the other lists do.
func TestLayerFilesMouseAndCopy(t *testing.T) {
	b := demoBackend()
	b.files = map[string]*images.LayerAnalysis{"sha256:" + id('1'): wastefulLayers()}
	m := newTestModel(t, b)
	m = press(t, m, "tab", "j", "l")
	// The screen's body starts at y=2: the summary, each pane's title and
	// column header, then the rows from y=5; the layers pane is 40 wide.
	click := func(m model, x, y int) model {
		return step(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	}

	m = click(m, 5, 5+1)
	if lf := m.layerFiles; lf.layers.Cursor != 1 || lf.onFiles {
		t.Errorf("a click on layer 2 left the cursor on layer %d (files focused %v)", lf.layers.Cursor+1, lf.onFiles)
	}
	if out := screen(m); !strings.Contains(out, "layer 2's changes") || !strings.Contains(out, "big") {
		t.Errorf("a click on layer 2 does not show its tree:\n%s", out)
	}
	m = click(m, 5, 5)
	if got, want := copied(t, m), "sha256:"+id('8'); got != want {
		t.Errorf("y on layer 1 copied %q, want its digest %q", got, want)
	}

	// Layer 1's tree: bin, busybox, sh, etc, group, passwd, tmp.
	m = click(m, 60, 5+5)
	if lf := m.layerFiles; !lf.onFiles || lf.files.Cursor != 5 {
		t.Errorf("a click on passwd: files focused %v, cursor %d", lf.onFiles, lf.files.Cursor)
	}
	if got := copied(t, m); got != "/etc/passwd" {
		t.Errorf("y on passwd copied %q", got)
	}
	m = step(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := copied(t, m); got != "/tmp" {
		t.Errorf("after the wheel down y copied %q, want /tmp", got)
	}
	m = step(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if got := copied(t, m); got != "/etc" {
		t.Errorf("after the wheel up y copied %q, want /etc", got)
	}

	// A click on the waste list focuses the layers and keeps the layer;
	// a click on the summary does nothing.
	m = click(m, 5, 2+10)
	if lf := m.layerFiles; lf.onFiles || lf.layers.Cursor != 0 {
		t.Errorf("a click on the waste list: files focused %v, layer %d", lf.onFiles, lf.layers.Cursor+1)
	}
	m = click(m, 60, 2)
	if m.layerFiles.onFiles {
		t.Error("a click on the summary focused the files")
	}
}

package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"berth/images"
)

// The layers screen is dive's view of one image: its layers on the
// left (instruction, size, the bytes later layers waste of it) over the
// files that waste most, and on the right the file tree of the selected
// layer, added, changed and removed files marked, only the changes or
// the whole tree, that layer's changes or every layer's up to it. The
// analysis (images.AnalyzeLayers, through the backend) is asked for once
// when the screen opens; each tree is built from it in a command (an
// image of 50,000 files takes longer than a frame), once, and kept.

type (
	layerFilesMsg struct {
		gen int
		a   *images.LayerAnalysis
		err error
	}
	// fileTreeMsg is one tree of the analysis, built.
	fileTreeMsg struct {
		gen     int
		key     treeKey
		entries []images.LayerEntry
	}
)

// treeKey names one tree of the analysis.
type treeKey struct {
	layer     int
	aggregate bool
}

// fileRow is one line of the file tree.
type fileRow struct {
	e     images.LayerEntry
	depth int
	size  int64 // a directory's: what the files in it hold
	dir   bool  // a directory with entries below it in the tree
}

type layerFilesModel struct {
	sh     *shared
	gen    int
	ref    string // the image's ID
	name   string
	width  int
	height int

	loaded bool
	err    error
	a      *images.LayerAnalysis

	layers    listNav
	files     listNav
	onFiles   bool // the focus is on the file tree
	aggregate bool // every layer's changes up to the selected one
	whole     bool // the whole tree, not only the changes
	folded    map[string]bool
	trees     map[treeKey][]images.LayerEntry // built once each
	asked     map[treeKey]bool                // being built
	rows      []fileRow
}

var layerFileColumns = []column{
	{Title: "#", Width: 2, Right: true},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "WASTED", Width: 8, Right: true},
	{Title: "INSTRUCTION", Width: 10, Flex: true},
}

var wasteColumns = []column{
	{Title: "LAYERS", Width: 6, Right: true},
	{Title: "BYTES", Width: 8, Right: true},
	{Title: "PATH", Width: 10, Flex: true},
}

var treeColumns = []column{
	{Title: "", Width: 1},
	{Title: "PERMISSIONS", Width: 11},
	{Title: "UID:GID", Width: 9},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "PATH", Width: 20, Flex: true},
}

// layerPaneMin is the narrowest the layers pane gets.
const layerPaneMin = 30

func newLayerFilesModel(sh *shared, gen int, im *Image) layerFilesModel {
	return layerFilesModel{sh: sh, gen: gen, ref: im.ID, name: imageName(*im),
		folded: map[string]bool{}, trees: map[treeKey][]images.LayerEntry{}, asked: map[treeKey]bool{}}
}

func (m layerFilesModel) init() tea.Cmd {
	sh, gen, ref := m.sh, m.gen, m.ref
	return func() tea.Msg {
		a, err := sh.backend.LayerFiles(sh.ctx, ref)
		return layerFilesMsg{gen: gen, a: a, err: err}
	}
}

// bodyRows is the lines under the summary, the pane titles and the
// column headers.
func (m layerFilesModel) bodyRows() int { return max(m.height-3, 1) }

// layerRows is how many lines the layers list takes, above the waste.
func (m layerFilesModel) layerRows() int {
	n := 1
	if m.a != nil {
		n = len(m.a.Layers)
	}
	if len(m.wasteRows()) == 0 {
		return m.bodyRows()
	}
	return max(min(n, m.bodyRows()-5), min(n, m.bodyRows()/2), 1)
}

func (m layerFilesModel) wasteRows() []images.FileWaste {
	if m.a == nil {
		return nil
	}
	return m.a.Waste
}

func (m layerFilesModel) setSize(w, h int) layerFilesModel {
	m.width, m.height = w, h
	return m.relayout()
}

func (m layerFilesModel) treeKey() treeKey {
	return treeKey{layer: m.layers.Cursor, aggregate: m.aggregate}
}

// relayout lays the tree's rows out again after anything they depend on
// changed; a tree not built yet has none.
func (m layerFilesModel) relayout() layerFilesModel {
	n := 0
	if m.a != nil {
		n = len(m.a.Layers)
	}
	m.layers.resize(m.layerRows(), n)
	m.rows = nil
	if entries, ok := m.trees[m.treeKey()]; ok {
		m.rows = fileRows(entries, !m.whole, m.folded)
	}
	m.files.resize(m.bodyRows(), len(m.rows))
	return m
}

// treeCmd builds the tree on view when it is neither built nor being built.
func (m layerFilesModel) treeCmd() tea.Cmd {
	k := m.treeKey()
	if m.a == nil || len(m.a.Layers) == 0 || m.asked[k] {
		return nil
	}
	if _, ok := m.trees[k]; ok {
		return nil
	}
	m.asked[k] = true
	a, gen := m.a, m.gen
	return func() tea.Msg { return fileTreeMsg{gen: gen, key: k, entries: a.Tree(k.layer, k.aggregate)} }
}

// fileRows lays entries (in walk order) out as the tree's lines: with
// changesOnly, only what changed and the directories above it; nothing
// below a folded directory.
func fileRows(entries []images.LayerEntry, changesOnly bool, folded map[string]bool) []fileRow {
	rows := make([]fileRow, len(entries))
	keep := make([]bool, len(entries))
	var open []int // the directories above the entry, outermost first
	for i, e := range entries {
		for len(open) > 0 && !strings.HasPrefix(e.Path, entries[open[len(open)-1]].Path+"/") {
			open = open[:len(open)-1]
		}
		rows[i] = fileRow{e: e, depth: len(open)}
		if len(open) > 0 {
			rows[open[len(open)-1]].dir = true
		}
		if e.Change != images.FileRemoved && e.Kind != images.KindDir {
			for _, d := range open {
				rows[d].size += e.Size
			}
		}
		if !changesOnly || e.Change != images.FileUnchanged {
			keep[i] = true
			for _, d := range open {
				keep[d] = true
			}
		}
		if e.Kind == images.KindDir && e.Change != images.FileRemoved {
			open = append(open, i)
		}
	}
	out := make([]fileRow, 0, len(rows))
	skip := ""
	for i, r := range rows {
		if !keep[i] || (skip != "" && strings.HasPrefix(r.e.Path, skip)) {
			continue
		}
		skip = ""
		if r.e.Kind == images.KindDir && r.e.Change != images.FileRemoved {
			if folded[r.e.Path] {
				skip = r.e.Path + "/"
			}
		} else {
			r.size = r.e.Size
		}
		out = append(out, r)
	}
	return out
}

// nextPane moves the focus between the layers and the file tree.
func (m layerFilesModel) nextPane() layerFilesModel {
	m.onFiles = !m.onFiles
	return m
}

func (m layerFilesModel) update(msg tea.Msg) (layerFilesModel, tea.Cmd) {
	switch msg := msg.(type) {
	case layerFilesMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.loaded, m.a, m.err = true, msg.a, msg.err
		if msg.err != nil {
			return m, statusCmd(fmt.Errorf("layer files of %s: %w", m.name, msg.err))
		}
		m = m.relayout()
		return m, m.treeCmd()
	case fileTreeMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.trees[msg.key] = msg.entries
		delete(m.asked, msg.key)
		return m.relayout(), nil
	case tea.KeyPressMsg:
		m = m.key(msg)
		return m, m.treeCmd()
	}
	return m, nil
}

func (m layerFilesModel) key(msg tea.KeyPressMsg) layerFilesModel {
	k, g := &m.sh.keys.Layers, &m.sh.keys.Global
	if m.onFiles {
		if navKey(&m.files, g, msg) {
			return m
		}
	} else if navKey(&m.layers, g, msg) {
		m.files.home()
		return m.relayout()
	}
	switch {
	case matches(msg, k.Fold):
		if !m.onFiles {
			m.onFiles = true
			return m
		}
		if r, ok := m.selectedRow(); ok && r.dir {
			m.folded = toggled(m.folded, r.e.Path)
		}
	case matches(msg, k.FoldAll):
		m.folded = m.foldAll()
	case matches(msg, k.Changes):
		m.whole = !m.whole
		m.files.home()
	case matches(msg, k.Aggregate):
		m.aggregate = !m.aggregate
		m.files.home()
	default:
		return m
	}
	return m.relayout()
}

func (m layerFilesModel) selectedRow() (fileRow, bool) {
	if m.files.Cursor < len(m.rows) {
		return m.rows[m.files.Cursor], true
	}
	return fileRow{}, false
}

// toggled is folded with dir folded or unfolded; maps are copied, so an
// earlier model keeps its own.
func toggled(folded map[string]bool, dir string) map[string]bool {
	out := make(map[string]bool, len(folded)+1)
	for p, f := range folded {
		out[p] = f
	}
	out[dir] = !out[dir]
	return out
}

// foldAll folds every directory on view, or unfolds all when some are.
func (m layerFilesModel) foldAll() map[string]bool {
	for _, f := range m.folded {
		if f {
			return map[string]bool{}
		}
	}
	out := map[string]bool{}
	for _, r := range m.rows {
		if r.dir {
			out[r.e.Path] = true
		}
	}
	return out
}

// scroll moves the focused pane's cursor (the wheel); another layer's
// tree may need building.
func (m layerFilesModel) scroll(d int) (layerFilesModel, tea.Cmd) {
	if m.onFiles {
		m.files.move(d)
		return m, nil
	}
	m.layers.move(d)
	m = m.relayout()
	return m, m.treeCmd()
}

func (m layerFilesModel) view() string {
	st := &m.sh.styles
	switch {
	case m.err != nil:
		return st.Error.Render(" " + m.err.Error())
	case !m.loaded:
		return st.Faint.Render(" reading the layers of " + m.name + "…")
	case len(m.a.Layers) == 0:
		return st.Faint.Render(" " + m.name + " has no layers")
	}
	a := m.a
	summary := fmt.Sprintf(" %s · %d layers · %s · wasted %s (potential %s) · efficiency %.1f%%",
		m.name, len(a.Layers), humanBytes(uint64(a.Size)), humanBytes(uint64(a.Wasted)),
		humanBytes(uint64(a.PotentialWaste)), a.Efficiency*100)
	lw := m.leftWidth()
	rw := max(m.width-lw-3, 10)
	left := strings.Split(m.layersView(lw), "\n")
	right := strings.Split(m.treeView(rw), "\n")
	var b strings.Builder
	b.WriteString(st.Title.Render(fit(summary, m.width, false)))
	sep := st.Faint.Render(" │ ")
	for i := range max(len(left), len(right)) {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		b.WriteString("\n" + fit(l, lw, false) + sep + fit(r, rw, false))
	}
	return b.String()
}

func (m layerFilesModel) paneTitle(text string, focused bool) string {
	if focused {
		return m.sh.styles.Title.Render(text)
	}
	return m.sh.styles.Faint.Render(text)
}

func (m layerFilesModel) layersView(w int) string {
	st := &m.sh.styles
	lines := []string{m.paneTitle(" Layers", !m.onFiles)}
	widths := layoutColumns(layerFileColumns, w)
	lines = append(lines, renderHeader(st, layerFileColumns, widths, -1, false))
	from, to := m.layers.visible()
	for i := from; i < to; i++ {
		l := m.a.Layers[i]
		wasted := ""
		if l.Wasted > 0 {
			wasted = humanBytes(uint64(l.Wasted))
		}
		cells := []cell{plain(fmt.Sprint(i + 1)), plain(humanBytes(uint64(l.Size))), styled(wasted, &st.Exited), plain(instructionText(l.Instruction))}
		lines = append(lines, renderRow(st, layerFileColumns, widths, cells, i == m.layers.Cursor))
	}
	for len(lines) < 2+m.layerRows() {
		lines = append(lines, "")
	}
	waste := m.wasteRows()
	room := m.bodyRows() - m.layerRows() - 2
	if len(waste) == 0 || room < 1 {
		return strings.Join(lines, "\n")
	}
	lines = append(lines, "", st.Title.Render(" Wasted by"))
	widths = layoutColumns(wasteColumns, w)
	lines = append(lines, renderHeader(st, wasteColumns, widths, -1, false))
	for _, fw := range waste[:min(len(waste), max(room-1, 0))] {
		lines = append(lines, renderRow(st, wasteColumns, widths,
			[]cell{plain(fmt.Sprint(fw.Layers)), plain(humanBytes(uint64(fw.Bytes))), plain(fw.Path)}, false))
	}
	return strings.Join(lines, "\n")
}

// instructionText is a history step as `docker history` shortens it.
func instructionText(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "/bin/sh -c ")
	s = strings.TrimPrefix(s, "#(nop) ")
	return strings.Join(strings.Fields(s), " ")
}

func (m layerFilesModel) treeView(w int) string {
	st := &m.sh.styles
	what := fmt.Sprintf("layer %d's changes", m.layers.Cursor+1)
	if m.aggregate && m.layers.Cursor > 0 {
		what = fmt.Sprintf("changes of layers 2–%d", m.layers.Cursor+1)
	}
	shown := "only the changes"
	if m.whole {
		shown = "the whole tree"
	}
	lines := []string{m.paneTitle("Files", m.onFiles) + st.Faint.Render(" · "+what+" · "+shown)}
	widths := layoutColumns(treeColumns, w)
	lines = append(lines, renderHeader(st, treeColumns, widths, -1, false))
	if _, built := m.trees[m.treeKey()]; !built {
		return strings.Join(append(lines, st.Faint.Render(" reading the tree…")), "\n")
	}
	if len(m.rows) == 0 {
		return strings.Join(append(lines, st.Faint.Render(" no changes")), "\n")
	}
	from, to := m.files.visible()
	for i := from; i < to; i++ {
		lines = append(lines, renderRow(st, treeColumns, widths, m.treeCells(m.rows[i]), m.onFiles && i == m.files.Cursor))
	}
	return strings.Join(lines, "\n")
}

func (m layerFilesModel) treeCells(r fileRow) []cell {
	st := &m.sh.styles
	e := r.e
	var style *lipgloss.Style
	switch e.Change {
	case images.FileAdded:
		style = &st.FileAdded
	case images.FileChanged:
		style = &st.FileChanged
	case images.FileRemoved:
		style = &st.FileRemoved
	case images.FileUnchanged:
	}
	name := e.Path[strings.LastIndexByte(e.Path, '/')+1:]
	switch {
	case r.dir && m.folded[e.Path]:
		name = "▸ " + name + "/"
	case r.dir:
		name = "▾ " + name + "/"
	case e.Kind == images.KindDir:
		name = "  " + name + "/"
	case e.Kind == images.KindSymlink || e.Kind == images.KindHardlink:
		name = "  " + name + " → " + e.Link
	default:
		name = "  " + name
	}
	if e.Opaque {
		name += " (opaque)"
	}
	size := ""
	if r.size > 0 || e.Kind == images.KindFile {
		size = humanBytes(uint64(max(r.size, 0)))
	}
	return []cell{
		styled(e.Change.Mark(), style),
		plain(string(e.Kind.Letter()) + e.Mode.Perm().String()[1:]),
		plain(fmt.Sprintf("%d:%d", e.UID, e.GID)),
		plain(size),
		styled(strings.Repeat("  ", r.depth)+name, style),
	}
}

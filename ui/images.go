package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Messages of the images screen.
type (
	imagesMsg struct {
		gen    int
		host   int
		images []Image
		err    error
	}
	layersMsg struct {
		gen    int
		id     string // the image's row key
		layers []Layer
		err    error
	}
)

// imagesModel is the images screen: the list, and the layers of the
// selected image below it.
type imagesModel struct {
	sh       *shared
	gen      int
	width    int
	height   int
	hostRows hostLists[Image] // each host's last answer
	loaded   bool

	list    []Image // every host's
	hostOf  []int   // the host of each of list
	rows    []hostImage
	nav     listNav
	sortBy  int
	desc    bool
	filter  textField
	editing bool

	layersOf string // the row key of the image whose layers are shown
	layers   []Layer
	layerErr error

	pull  *pullModel  // the pull under way, nil for none
	build *buildModel // the build under way or its outcome, nil for none
	// busy is the transitional state of the rows a job changes
	// ("Removing"), by row key; the root keeps it (jobs.go).
	busy map[string]string
}

var imageColumns = []column{
	{Title: "REPOSITORY", Width: 20, Flex: true},
	{Title: "TAG", Width: 10, Flex: true},
	{Title: "IMAGE ID", Width: 12},
	{Title: "CREATED", Width: 15},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "CONTAINERS", Width: 10, Right: true},
}

var layerColumns = []column{
	{Title: "LAYER", Width: 12},
	{Title: "CREATED", Width: 15},
	{Title: "SIZE", Width: 8, Right: true},
	{Title: "CREATED BY", Width: 30, Flex: true},
}

// hostImage is a row of the list: an image and its host.
type hostImage struct {
	Image
	host int
}

// imageLayersHeight is the lines the layers pane takes at most.
const imageLayersHeight = 9

func newImagesModel(sh *shared, gen int) imagesModel {
	f := newTextInput()
	f.Prompt = "/"
	f.Placeholder = "filter by repository, tag or ID"
	return imagesModel{sh: sh, gen: gen, filter: newTextField(f), hostRows: newHostLists[Image](len(sh.hosts))}
}

func (m imagesModel) reopen(gen int) imagesModel {
	m.gen, m.hostRows = gen, m.hostRows.idle()
	if m.build != nil {
		b := *m.build
		b.focused = false
		m.build = &b
	}
	return m
}

func (m imagesModel) init() tea.Cmd { return func() tea.Msg { return refreshMsg{} } }

// listHeight is the rows the list shows, above the pane and a line for
// each host that shows no rows.
func (m imagesModel) listHeight() int {
	return max(m.height-m.paneHeight()-2-len(m.hostRows.notes(m.sh)), 3)
}

// paneHeight is the lines below the list: the layers of the selected
// image, or half the screen for a build's log.
func (m imagesModel) paneHeight() int {
	if m.build != nil {
		return max(m.height/2, imageLayersHeight)
	}
	return imageLayersHeight
}

func (m imagesModel) setSize(w, h int) imagesModel {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-4, 10))
	m.nav.resize(m.listHeight(), len(m.rows))
	if m.build != nil {
		b := m.build.setSize(w, m.paneHeight())
		m.build = &b
	}
	return m
}

// nextPane moves the focus from the list to a build's log; it returns
// false when the focus leaves the screen instead.
func (m imagesModel) nextPane() (imagesModel, bool) {
	if m.build == nil {
		return m, false
	}
	b := *m.build
	b.focused = !b.focused
	m.build = &b
	return m, b.focused
}

func (m imagesModel) capturing() bool { return m.editing }

func (m imagesModel) update(msg tea.Msg) (imagesModel, tea.Cmd) {
	switch msg := msg.(type) {
	case refreshMsg:
		var ask []int
		m.hostRows, ask = m.hostRows.ask()
		cmds := make([]tea.Cmd, len(ask))
		for i, h := range ask {
			cmds[i] = imagesCmd(m.sh.on(h), m.gen)
		}
		return m, tea.Batch(cmds...)
	case imagesMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.hostRows = m.hostRows.answer(msg.host, msg.images, msg.err)
		if msg.err != nil && !m.sh.multi() {
			return m, statusCmd(fmt.Errorf("list images: %w", msg.err))
		}
		m.loaded = true
		m.list, m.hostOf = m.hostRows.merged()
		m = m.relist()
		return m, m.layersCmd()
	case layersMsg:
		if msg.gen != m.gen || msg.id != m.layersOf {
			return m, nil
		}
		m.layers, m.layerErr = msg.layers, msg.err
		return m, nil
	case pullRequestMsg:
		if m.pull != nil {
			return m, statusCmd(fmt.Errorf("pull %s: %w", msg.ref, ErrBusy))
		}
		ctx, cancel := context.WithCancel(m.sh.ctx)
		p := newPullModel(m.sh, msg.ref, cancel)
		m.pull = &p
		return m, pullCmd(ctx, m.sh, p.stream)
	case pullStartMsg:
		if m.pull == nil || msg.pull != m.pull.stream {
			return m, nil
		}
		return m, waitPullCmd(msg.pull)
	case pullProgressMsg:
		if m.pull == nil || msg.pull != m.pull.stream {
			return m, nil
		}
		p := m.pull.absorb(msg.events)
		m.pull = &p
		if !msg.done {
			return m, waitPullCmd(msg.pull)
		}
		m.pull = nil
		ref := msg.pull.ref
		if msg.err != nil {
			return m, tea.Batch(statusCmd(fmt.Errorf("pull %s: %w", ref, msg.err)), imagesCmd(m.sh, m.gen))
		}
		return m, tea.Batch(infoCmd("pulled "+ref), imagesCmd(m.sh, m.gen))
	case buildRequestMsg:
		if m.build != nil && m.build.running {
			return m, statusCmd(fmt.Errorf("build: %w", ErrBusy))
		}
		ctx, cancel := context.WithCancel(m.sh.ctx)
		b := newBuildModel(msg.req, cancel)
		b.stream.started = m.sh.now()
		m.build = &b
		m = m.setSize(m.width, m.height)
		return m, tea.Batch(buildCmd(ctx, m.sh, b.stream), b.spin.Tick)
	case buildStartMsg:
		if m.build == nil || msg.build != m.build.stream {
			return m, nil
		}
		return m, waitBuildCmd(msg.build)
	case buildOutputMsg:
		if m.build == nil || msg.build != m.build.stream {
			return m, nil
		}
		b := m.build.absorb(msg.lines).stepTo(msg.step)
		if !msg.done {
			m.build = &b
			return m, waitBuildCmd(msg.build)
		}
		b = b.finish(msg.id, msg.err)
		m.build = &b
		name := b.name()
		switch {
		case errors.Is(msg.err, context.Canceled):
			return m, tea.Batch(infoCmd("build of "+name+" cancelled"), imagesCmd(m.sh, m.gen))
		case msg.err != nil:
			return m, tea.Batch(statusCmd(fmt.Errorf("build %s: %w", name, msg.err)), imagesCmd(m.sh, m.gen))
		}
		return m, tea.Batch(infoCmd("built "+name+" ("+shortID(msg.id)+")"), imagesCmd(m.sh, m.gen))
	case buildCancelMsg:
		if m.build != nil && msg.build == m.build.stream {
			msg.build.cancel()
		}
		return m, nil
	case spinner.TickMsg:
		if m.build == nil || !m.build.running {
			return m, nil
		}
		b := *m.build
		var cmd tea.Cmd
		b.spin, cmd = b.spin.Update(msg)
		m.build = &b
		return m, cmd
	case tea.KeyPressMsg:
		if m.editing {
			return m.updateFilter(msg)
		}
		m, cmd := m.key(msg)
		return m, tea.Batch(cmd, m.layersCmd())
	}
	if m.editing {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m imagesModel) relist() imagesModel {
	var keep string
	if im, ok := m.selectedRow(); ok {
		keep = m.keyOf(im)
	}
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	rows := make([]hostImage, 0, len(m.list))
	for i, im := range m.list {
		if q != "" && !strings.Contains(strings.ToLower(im.Repository+":"+im.Tag+" "+im.ID+m.sh.on(m.hostOf[i]).onHost()), q) {
			continue
		}
		rows = append(rows, hostImage{Image: im, host: m.hostOf[i]})
	}
	slices.SortStableFunc(rows, func(a, b hostImage) int {
		var r int
		switch m.sortBy {
		case 1:
			r = cmp.Compare(a.Tag, b.Tag)
		case 2:
			r = cmp.Compare(a.ID, b.ID)
		case 3:
			r = b.Created.Compare(a.Created)
		case 4:
			r = cmp.Compare(a.Size, b.Size)
		case 5:
			r = cmp.Compare(a.Containers, b.Containers)
		default:
			r = cmp.Compare(imageName(a.Image), imageName(b.Image))
			if a.Dangling != b.Dangling {
				r = 1
				if b.Dangling {
					r = -1
				}
			}
		}
		if m.desc {
			return -r
		}
		return r
	})
	m.rows = rows
	m.nav.resize(m.listHeight(), len(rows))
	for i, im := range rows {
		if m.keyOf(im) == keep {
			m.nav.Cursor = i
			m.nav.clamp()
		}
	}
	return m
}

func (m imagesModel) selected() (Image, bool) {
	im, ok := m.selectedRow()
	return im.Image, ok
}

func (m imagesModel) selectedRow() (hostImage, bool) {
	if m.nav.Cursor < len(m.rows) {
		return m.rows[m.nav.Cursor], true
	}
	return hostImage{}, false
}

// keyOf names a row among the images of every host.
func (m imagesModel) keyOf(im hostImage) string { return rowKey(m.sh.on(im.host), im.ID) }

// table is the list's HOST column, shown first.
func (m imagesModel) table() hostTable { return hostTable{sh: m.sh, at: 0} }

// layersCmd loads the layers of the selected image when it changed; it
// marks which image it asked for so a late answer for another is dropped.
func (m *imagesModel) layersCmd() tea.Cmd {
	im, ok := m.selectedRow()
	if !ok || m.keyOf(im) == m.layersOf {
		return nil
	}
	m.layersOf, m.layers, m.layerErr = m.keyOf(im), nil, nil
	sh, gen, id, key := m.sh.on(im.host), m.gen, im.ID, m.layersOf
	return func() tea.Msg {
		layers, err := sh.backend.ImageLayers(sh.ctx, id)
		return layersMsg{gen: gen, id: key, layers: layers, err: err}
	}
}

func (m imagesModel) updateFilter(msg tea.KeyPressMsg) (imagesModel, tea.Cmd) {
	var cmd tea.Cmd
	m.filter, m.editing, cmd = editFilter(m.filter, &m.sh.keys.Global, msg)
	return m.relist(), cmd
}

func (m imagesModel) key(msg tea.KeyPressMsg) (imagesModel, tea.Cmd) {
	k, g, ck := &m.sh.keys.Images, &m.sh.keys.Global, &m.sh.keys.Containers
	if m.build != nil && m.build.focused {
		if b, ok := m.build.navKey(g, msg); ok {
			m.build = &b
			return m, nil
		}
	}
	if navKey(&m.nav, g, msg) {
		return m, nil
	}
	sh := m.sh
	switch {
	case matches(msg, g.Back):
		if m.build != nil && m.build.running {
			s := m.build.stream
			return m, dialogCmd(confirmDialog(&sh.keys, "Cancel the build of "+m.build.name()+"?",
				"the steps done so far stay in the build cache", func() tea.Cmd {
					return func() tea.Msg { return buildCancelMsg{build: s} }
				}))
		}
		if m.build != nil {
			m.build = nil
			return m.setSize(m.width, m.height), nil
		}
		if m.pull != nil {
			m.pull.stream.cancel()
			ref := m.pull.stream.ref
			m.pull = nil
			return m, infoCmd("pull of " + ref + " cancelled")
		}
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			return m.relist(), nil
		}
	case matches(msg, g.Filter):
		m.editing = true
		return m, m.filter.Focus()
	case matches(msg, ck.SortNext):
		m.sortBy = (m.sortBy + 1) % len(imageColumns)
		return m.relist(), nil
	case matches(msg, ck.SortPrev):
		m.sortBy = (m.sortBy - 1 + len(imageColumns)) % len(imageColumns)
		return m.relist(), nil
	case matches(msg, ck.SortRev):
		m.desc = !m.desc
		return m.relist(), nil
	case matches(msg, k.Pull):
		return m, dialogCmd(promptDialog(&sh.keys, "Pull an image"+sh.onHost()+" (name[:tag] or name@digest)", "", func(ref string) tea.Cmd {
			if ref == "" {
				return nil
			}
			return func() tea.Msg { return pullRequestMsg{ref: ref} }
		}))
	case matches(msg, k.Build):
		return m, openCmd(openMsg{to: stateBuildForm})
	case matches(msg, k.Prune):
		prune := pruneImagesJob(sh, m.list, m.hostOf)
		return m, dialogCmd(confirmDialog(&sh.keys, "Remove every dangling image"+sh.onHost()+"?", "images without a tag and not used by a container",
			func() tea.Cmd { return askJobCmd(prune) }))
	}
	row, ok := m.selectedRow()
	if !ok {
		return m, nil
	}
	im := row.Image
	sh = m.sh.on(row.host) // the image's host runs and removes it
	switch {
	case matches(msg, k.Run):
		return m, openCmd(openMsg{to: stateRunForm, image: &im, sh: sh})
	case matches(msg, k.Layers):
		return m, openCmd(openMsg{to: stateLayerFiles, image: &im, sh: sh})
	case matches(msg, k.Remove):
		name := imageName(im)
		ref := im.ID
		if !im.Dangling {
			ref = name
		}
		return m, dialogCmd(removeImageDialog(sh, im, name, ref))
	}
	return m, nil
}

func imageName(im Image) string {
	if im.Dangling {
		return shortID(im.ID)
	}
	return im.Repository + ":" + im.Tag
}

func (m imagesModel) scroll(d int) imagesModel {
	if m.build != nil && m.build.focused {
		b := m.build.scroll(d)
		m.build = &b
		return m
	}
	m.nav.move(d)
	return m
}

func (m imagesModel) click(x, y int) (imagesModel, tea.Cmd) {
	switch {
	case y == 1:
		t := m.table()
		widths := layoutColumns(t.columns(imageColumns, m.width), m.width)
		pos := 0
		for shown, w := range widths {
			if i := t.own(shown); x >= pos && x < pos+w && i >= 0 {
				if m.sortBy == i {
					m.desc = !m.desc
				}
				m.sortBy = i
				return m.relist(), nil
			}
			pos += w + 1
		}
	case m.build != nil && y >= 2+m.listHeight():
		b := *m.build
		b.focused = true
		m.build = &b
	case y >= 2:
		if m.build != nil {
			b := *m.build
			b.focused = false
			m.build = &b
		}
		if i := m.nav.clickRow(y - 2); i >= 0 {
			m.nav.Cursor = i
			m.nav.clamp()
			return m, m.layersCmd()
		}
	}
	return m, nil
}

func (m imagesModel) copyText() (string, string) {
	if im, ok := m.selected(); ok {
		return im.ID, "the ID of " + imageName(im)
	}
	return "", ""
}

func (m imagesModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	if m.editing || m.filter.Value() != "" {
		b.WriteString(" " + m.filter.View())
	} else {
		dangling := 0
		for _, im := range m.list {
			if im.Dangling {
				dangling++
			}
		}
		b.WriteString(st.Faint.Render(fmt.Sprintf(" %d images · %d dangling · sorted by %s", len(m.rows), dangling, imageColumns[m.sortBy].Title)))
	}
	b.WriteByte('\n')
	t := m.table()
	cols := t.columns(imageColumns, m.width)
	widths := layoutColumns(cols, m.width)
	b.WriteString(renderHeader(st, cols, widths, t.shown(m.sortBy), m.desc))
	lines := 0
	switch {
	case !m.loaded:
		b.WriteString("\n" + st.Faint.Render(" loading…"))
		lines++
	case len(m.rows) == 0:
		b.WriteString("\n" + st.Faint.Render(" no images"))
		lines++
	}
	now := m.sh.now()
	from, to := m.nav.visible()
	for i := from; i < to; i++ {
		im := m.rows[i]
		repo, tag := plain(im.Repository), plain(im.Tag)
		if im.Dangling {
			repo, tag = styled("<none> (dangling)", &st.Dangling), styled("<none>", &st.Dangling)
		}
		created := plain(humanDuration(now.Sub(im.Created)) + " ago")
		if s := m.busy[m.keyOf(im)]; s != "" {
			created = styled(s+"…", &st.Paused) // as a container's Stopping…
		}
		cells := []cell{repo, tag, plain(shortID(im.ID)), created,
			plain(humanBytes(im.Size)), plain(fmt.Sprint(im.Containers))}
		b.WriteByte('\n')
		b.WriteString(renderRow(st, cols, widths, t.cells(cells, im.host), i == m.nav.Cursor))
		lines++
	}
	notes := noteLines(st, m.hostRows.notes(m.sh), "list of images", m.width)
	for _, n := range notes {
		b.WriteString("\n" + n)
	}
	for ; lines < m.listHeight(); lines++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	switch {
	case m.build != nil:
		b.WriteString(m.build.view(st, &m.sh.keys, m.width))
	case m.pull != nil:
		b.WriteString(m.pull.view(st, m.width))
	default:
		b.WriteString(m.layersView())
	}
	return b.String()
}

func (m imagesModel) layersView() string {
	st := &m.sh.styles
	im, ok := m.selected()
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(" Layers of " + imageName(im)))
	b.WriteByte('\n')
	widths := layoutColumns(layerColumns, m.width)
	b.WriteString(renderHeader(st, layerColumns, widths, -1, false))
	if m.layerErr != nil {
		b.WriteString("\n" + st.Error.Render(" "+m.layerErr.Error()))
		return b.String()
	}
	now := m.sh.now()
	for i, l := range m.layers {
		if i >= imageLayersHeight-2 {
			break
		}
		id := shortID(l.ID)
		if id == "" {
			id = "<missing>"
		}
		created := ""
		if !l.Created.IsZero() {
			created = humanDuration(now.Sub(l.Created)) + " ago"
		}
		cells := []cell{plain(id), plain(created), plain(humanBytes(l.Size)), plain(l.CreatedBy)}
		b.WriteByte('\n')
		b.WriteString(renderRow(st, layerColumns, widths, cells, false))
	}
	return b.String()
}

func imagesCmd(sh *shared, gen int) tea.Cmd {
	return func() tea.Msg {
		images, err := sh.backend.Images(sh.ctx)
		return imagesMsg{gen: gen, host: sh.host, images: images, err: err}
	}
}

package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/host"
)

// containersMsg is one read of one host's containers (readCmd): what
// ask listed (every container, or those an event named) and a stats
// sample of the running ones that were asked for.
type containersMsg struct {
	gen   int
	host  int
	ask   listAsk
	list  []*engine.Container
	stats map[string]*engine.Stats
	err   error
}

// refreshMsg asks the screen on view to reload (sent by the root's tick
// and after an action).
type refreshMsg struct{}

// containersModel is the containers screen: the list, its sort, filter
// and marks, and the CPU history behind each sparkline.
type containersModel struct {
	sh       *shared
	gen      int
	width    int
	height   int
	all      bool
	hostRows hostLists[*engine.Container] // each host's last answer
	watch    containersWatch              // each host's events, and what they changed (containerswatch.go)
	loaded   bool
	reloads  int
	covered  int // ticks while another screen covers the list (containersrefresh.go)

	list    []*engine.Container // every host's
	hostOf  map[*engine.Container]int
	last    map[string]*engine.Stats
	cpu     map[string]history
	cpuNow  map[string]float64
	netNow  map[string]netRate
	rows    []*engine.Container // nil at a compose heading (tree)
	tree    []treeRow           // beside rows; nil when no row is a project's
	folded  map[string]bool     // compose headings folded, by key
	nav     listNav
	marks   map[string]bool
	busy    map[string]string // a row's transitional state (actions.go)
	fit     tableLayout       // the columns sized to the rows (refit)
	natural []int             // each column's widest cell at the last refit
	sortBy  int
	desc    bool
	filter  textField
	editing bool
}

// containerColumns are the table's columns; the first is the mark. Each
// is as wide as what it shows (fitWidths); on a narrow screen the
// columns with the highest Drop go first.
var containerColumns = []column{
	{Title: "", Width: 1},
	{Title: "NAME", Width: 10, Flex: true, Min: 12},
	{Title: "IMAGE", Width: 8, Flex: true, Min: 10, Drop: 6},
	{Title: "STATUS", Width: 26},
	{Title: "RESTARTS", Width: 8, Right: true, Drop: 3},
	{Title: "CPU %", Width: 5, Right: true, Drop: 1},
	{Title: "", Width: 6, Drop: 9},
	{Title: "MEM / LIMIT", Width: 16, Right: true, Drop: 2},
	{Title: "PIDS", Width: 4, Right: true, Drop: 8},
	{Title: "NET RX/TX", Width: 9, Right: true, Drop: 7},
	{Title: "PORTS", Width: 6, Flex: true, Min: 12, Drop: 5},
}

// containerSorts are the sortable columns (indexes into containerColumns).
var containerSorts = []int{1, 2, 3, 4, 5, 7, 8, 9, 10}

// statsSorts are the sorts by a stats figure (CPU, MEM, PIDS, NET), which
// need every container sampled.
var statsSorts = []int{5, 7, 8, 9}

// netRate is a container's network traffic between two samples, in
// bytes per second.
type netRate struct{ rx, tx float64 }

// netlessMode is the container's network mode when it has no interface
// of its own to count ("host": the host's traffic is not the
// container's; "none"), "" otherwise.
func netlessMode(c *engine.Container) string {
	if mode := c.HostConfig.NetworkMode; mode == "host" || mode == "none" {
		return mode
	}
	return ""
}

const sparkHistory = 30

func newContainersModel(sh *shared, gen int) containersModel {
	f := newTextInput()
	f.Prompt = "/"
	f.Placeholder = "filter by name, image, status or ID"
	return containersModel{
		sh: sh, gen: gen, all: true, hostRows: newHostLists[*engine.Container](len(sh.hosts)), watch: newContainersWatch(len(sh.hosts)),
		last: map[string]*engine.Stats{}, cpu: map[string]history{}, cpuNow: map[string]float64{},
		netNow: map[string]netRate{},
		marks:  map[string]bool{}, folded: map[string]bool{}, sortBy: 1, filter: newTextField(f),
	}
}

// reopen keeps the list and its history but takes a new generation
// (what the reads under way were to list is listed again).
func (m containersModel) reopen(gen int) containersModel {
	m.watch.dropped(m.hostRows.inFlight)
	m.gen, m.hostRows = gen, m.hostRows.idle()
	return m
}

func (m containersModel) init() tea.Cmd {
	return func() tea.Msg { return refreshMsg{} }
}

// counts are the header's containers, the current host's: running and
// all.
func (m containersModel) counts() (running, all int) {
	for _, c := range m.list {
		if m.hostOf[c] != m.sh.host {
			continue
		}
		all++
		if c.State.Running() {
			running++
		}
	}
	return running, all
}

func (m containersModel) setSize(w, h int) containersModel {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-4, 10))
	m.nav.resize(m.listHeight(), len(m.rows))
	return m.refit()
}

// listHeight is the rows the table shows: the body less the info line,
// the column titles and a line for each host that shows no rows.
func (m containersModel) listHeight() int {
	return max(m.height-2-len(m.hostRows.notes(m.sh)), 1)
}

// keyOf names c among the containers of every host.
func (m containersModel) keyOf(c *engine.Container) string {
	return rowKey(m.sh.on(m.hostOf[c]), c.ID)
}

// hostOfEach is the shared of each container's host, for commands
// (which must not read the model).
func (m containersModel) hostOfEach(cs []*engine.Container) hostsOf {
	out := make(hostsOf, len(cs))
	for _, c := range cs {
		out[c] = m.sh.on(m.hostOf[c])
	}
	return out
}

func (m containersModel) capturing() bool { return m.editing }

func (m containersModel) update(msg tea.Msg) (containersModel, tea.Cmd) {
	switch msg := msg.(type) {
	case refreshMsg:
		return m.reload(true)
	case containersMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		return m.answered(msg)
	case changesStartMsg, changesBatchMsg:
		return m.onChanges(msg)
	case tea.KeyPressMsg:
		if m.editing {
			return m.updateFilter(msg)
		}
		return m.key(msg)
	}
	if m.editing {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

// reload reads what changed of each host's containers (every one when
// its events are not followed, or are due a full list: containerswatch.go);
// onView says the screen is drawn, so its rows need fresh stats (off
// view, the list only feeds the header's counts and is ready when the
// user comes back).
func (m containersModel) reload(onView bool) (containersModel, tea.Cmd) {
	m.reloads++
	var sample map[string]bool
	if onView {
		sample = m.toSample()
	}
	var cmds []tea.Cmd
	for h := range m.hostRows.inFlight {
		cmds = append(cmds, m.watch.follow(m.sh.on(h), m.sh.now()))
		if m.hostRows.inFlight[h] {
			continue
		}
		var cmd tea.Cmd
		m, cmd = m.read(h, sample, onView)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// answered takes a host's read: the list, or the containers named
// patched into it (host.PatchList), and the stats; then what events
// named meanwhile is read.
func (m containersModel) answered(msg containersMsg) (containersModel, tea.Cmd) {
	h := msg.host
	first := !m.hostRows.answered[h]
	if msg.err != nil {
		// Every container is listed next: a host of several loses its
		// rows with a failed read (hostLists.answer).
		m.watch.lists[h].Failed(true, nil)
	}
	list := msg.list
	if msg.err == nil && !msg.ask.all {
		list = m.hostRows.lists[h]
		if !msg.ask.none() {
			list = host.PatchList(list, msg.ask.ids, msg.list)
		}
	}
	m.hostRows = m.hostRows.answer(h, list, msg.err)
	if msg.err != nil && !m.sh.multi() {
		return m, statusCmd(fmt.Errorf("list containers: %w", msg.err))
	}
	if m = m.absorb(msg, m.hostRows.lists[h], first || msg.err != nil || !msg.ask.none()); first {
		return m.firstListed()
	}
	return m.readNamed(h)
}

// absorb takes a host's new sample: CPU and network rates from the
// previous one for the containers of hostList (the host's). When the
// host's list changed (listed) the list of every host is re-sorted and
// re-filtered with the cursor kept on the same container; a sample of
// stats alone re-sorts only when the sort is by a stats figure, so that
// a tick over idle containers costs the rows on screen.
func (m containersModel) absorb(msg containersMsg, hostList []*engine.Container, listed bool) containersModel {
	m.loaded = true
	keep := m.cursorKey()
	if listed {
		m = m.merge()
	}
	for _, c := range hostList {
		cur, ok := msg.stats[c.ID]
		if !ok && !listed {
			continue
		}
		k := m.keyOf(c)
		if !ok {
			if !c.State.Running() {
				delete(m.last, k)
				delete(m.netNow, k)
				m.cpuNow[k] = 0
			}
			continue
		}
		if prev := m.last[k]; prev != nil {
			p := engine.CPUPercent(prev, cur)
			m.cpuNow[k] = p
			m.cpu[k] = m.cpu[k].push(p, sparkHistory)
			m.netNow[k] = netRateOf(prev, cur)
		}
		m.last[k] = cur
	}
	if listed || slices.Contains(statsSorts, m.sortBy) {
		m = m.resort(keep)
	}
	return m.refitRefreshed()
}

// merge takes the hosts' lists as the list of every host, and forgets
// what it kept of containers no longer in it.
func (m containersModel) merge() containersModel {
	list, hosts := m.hostRows.merged()
	m.list, m.hostOf = list, make(map[*engine.Container]int, len(list))
	seen := make(map[string]bool, len(list))
	for i, c := range list {
		m.hostOf[c] = hosts[i]
		seen[m.keyOf(c)] = true
	}
	for id := range m.cpu {
		if !seen[id] {
			delete(m.cpu, id)
			delete(m.cpuNow, id)
			delete(m.netNow, id)
			delete(m.last, id)
			delete(m.marks, id)
		}
	}
	return m
}

// relist re-applies filter and sort, keeping the cursor's container.
func (m containersModel) relist() containersModel { return m.relistKeeping(m.cursorKey()) }

// cursorKey is the key of the row under the cursor (a container's or
// a compose heading's), "" for none.
func (m containersModel) cursorKey() string {
	return m.rowKeyAt(m.nav.Cursor)
}

// relistKeeping re-applies filter and sort, the cursor on the row keep.
func (m containersModel) relistKeeping(keep string) containersModel {
	return m.resort(keep).refit()
}

// resort is relistKeeping with the columns left as they were sized.
func (m containersModel) resort(keep string) containersModel {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	now := m.sh.now()
	rows := make([]*engine.Container, 0, len(m.list))
	for _, c := range m.list {
		if !m.all && !c.State.Running() {
			continue
		}
		if q != "" {
			hay := strings.ToLower(c.DisplayName() + " " + c.Config.Image + " " + statusText(c, now) + " " + c.ID + m.sh.on(m.hostOf[c]).onHost() + composeHay(c))
			if !strings.Contains(hay, q) {
				continue
			}
		}
		rows = append(rows, c)
	}
	slices.SortStableFunc(rows, func(a, b *engine.Container) int {
		r := m.compare(a, b)
		if r == 0 {
			r = cmp.Compare(a.DisplayName(), b.DisplayName())
		}
		if m.desc {
			return -r
		}
		return r
	})
	m.rows, m.tree = composeTree(rows, m.list, m.hostOf, m.folded)
	m.nav.resize(m.listHeight(), len(m.rows))
	for i := range m.rows {
		if m.rowKeyAt(i) == keep {
			m.nav.Cursor = i
			m.nav.clamp()
		}
	}
	return m
}

func (m containersModel) compare(a, b *engine.Container) int {
	switch m.sortBy {
	case 2:
		return cmp.Compare(a.Config.Image, b.Config.Image)
	case 3:
		return cmp.Compare(stateRank(a), stateRank(b))
	case 4:
		return cmp.Compare(a.RestartCount, b.RestartCount)
	case 5:
		return cmp.Compare(m.cpuNow[m.keyOf(a)], m.cpuNow[m.keyOf(b)])
	case 7:
		return cmp.Compare(m.memOf(a), m.memOf(b))
	case 8:
		return cmp.Compare(m.pidsOf(a), m.pidsOf(b))
	case 9:
		ra, rb := m.netNow[m.keyOf(a)], m.netNow[m.keyOf(b)]
		return cmp.Compare(ra.rx+ra.tx, rb.rx+rb.tx)
	case 10:
		return cmp.Compare(portsText(a), portsText(b))
	}
	return cmp.Compare(a.DisplayName(), b.DisplayName())
}

func stateRank(c *engine.Container) int {
	switch {
	case c.State.Restarting():
		return 1
	case c.State.Paused():
		return 2
	case c.State.Running():
		return 0
	case c.State.Status == engine.StatusCreated:
		return 3
	}
	return 4
}

func (m containersModel) memOf(c *engine.Container) uint64 {
	if s := m.last[m.keyOf(c)]; s != nil {
		return s.MemoryUsage
	}
	return 0
}

func (m containersModel) pidsOf(c *engine.Container) uint64 {
	if s := m.last[m.keyOf(c)]; s != nil {
		return s.PidsCurrent
	}
	return 0
}

func (m containersModel) selected() *engine.Container {
	if m.nav.Cursor < 0 || m.nav.Cursor >= len(m.rows) {
		return nil
	}
	return m.rows[m.nav.Cursor]
}

// targets are the marked containers, or the one under the cursor.
func (m containersModel) targets() []*engine.Container {
	var out []*engine.Container
	for _, c := range m.rows {
		if c != nil && m.marks[m.keyOf(c)] {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if c := m.selected(); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func (m containersModel) updateFilter(msg tea.KeyPressMsg) (containersModel, tea.Cmd) {
	var cmd tea.Cmd
	m.filter, m.editing, cmd = editFilter(m.filter, &m.sh.keys.Global, msg)
	return m.relist(), cmd
}

func (m containersModel) key(msg tea.KeyPressMsg) (containersModel, tea.Cmd) {
	k, g := &m.sh.keys.Containers, &m.sh.keys.Global
	if navKey(&m.nav, g, msg) {
		return m, nil
	}
	switch {
	case matches(msg, g.Back):
		if len(m.marks) > 0 {
			m.marks = map[string]bool{}
			return m, nil
		}
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			return m.relist(), nil
		}
	case matches(msg, g.Filter):
		m.editing = true
		return m, m.filter.Focus()
	case matches(msg, k.All):
		m.all = !m.all
		what := "showing running containers"
		if m.all {
			what = "showing all containers"
		}
		return m.relist(), infoCmd(what)
	case matches(msg, k.SortNext), matches(msg, k.SortPrev):
		i := slices.Index(containerSorts, m.sortBy)
		if matches(msg, k.SortNext) {
			i = (i + 1) % len(containerSorts)
		} else {
			i = (i - 1 + len(containerSorts)) % len(containerSorts)
		}
		return m.sortOn(containerSorts[i], false), nil
	case matches(msg, k.SortRev):
		m.desc = !m.desc
		return m.relist(), nil
	case matches(msg, k.Mark):
		if c := m.selected(); c != nil {
			if k := m.keyOf(c); m.marks[k] {
				delete(m.marks, k)
			} else {
				m.marks[k] = true
			}
			m.nav.move(1)
		}
		return m, nil
	case matches(msg, k.Run):
		return m, openCmd(openMsg{to: stateRunForm})
	case matches(msg, k.Fold):
		return m.fold(), nil
	}
	if col, ok := m.sortKey(msg); ok {
		return m.sortOn(col, true), nil
	}
	if g := m.selectedGroup(); g != nil {
		return m.groupKey(msg, g)
	}
	c := m.selected()
	if c == nil {
		return m, nil
	}
	return m.containerKey(msg, c)
}

// containerKey runs an action on the selected (or marked) containers.
func (m containersModel) containerKey(msg tea.KeyPressMsg, c *engine.Container) (containersModel, tea.Cmd) {
	k := &m.sh.keys.Containers
	sh := m.sh.on(m.hostOf[c]) // every action goes to c's host
	name := c.DisplayName() + sh.onHost()
	switch {
	case matches(msg, k.Logs):
		if cmd, ok := m.markedLogsCmd(); ok {
			return m, cmd
		}
		return m, openCmd(openMsg{to: stateLogs, container: c, sh: sh})
	case matches(msg, k.Top):
		return m, openCmd(openMsg{to: stateTop, container: c, sh: sh})
	case matches(msg, k.Inspect):
		return m, openCmd(openMsg{to: stateInspect, container: c, sh: sh})
	case matches(msg, k.Timeline):
		return m, openCmd(openMsg{to: stateTimeline, container: c, sh: sh})
	case matches(msg, k.Exec):
		return m, handoffCmd(sh, c.ID, name, SessionShell)
	case matches(msg, k.Attach):
		return m, handoffCmd(sh, c.ID, name, SessionAttach)
	case matches(msg, k.ExecPane):
		return m, tea.Sequence(openCmd(openMsg{to: stateLogs, container: c, sh: sh}), terminalCmd(sh, c.ID, c.DisplayName(), SessionShell))
	case matches(msg, k.AttachPane):
		return m, tea.Sequence(openCmd(openMsg{to: stateLogs, container: c, sh: sh}), terminalCmd(sh, c.ID, c.DisplayName(), SessionAttach))
	case matches(msg, k.Start):
		return m, m.askActionCmd("start", "", m.targets())
	case matches(msg, k.Restart):
		return m, m.askActionCmd("restart", "", m.targets())
	case matches(msg, k.Pause):
		var pause, unpause []*engine.Container
		for _, t := range m.targets() {
			if t.State.Paused() {
				unpause = append(unpause, t)
			} else {
				pause = append(pause, t)
			}
		}
		return m, tea.Batch(m.askActionCmd("unpause", "", unpause), m.askActionCmd("pause", "", pause))
	case matches(msg, k.Stop):
		ts := m.targets()
		stop := func() tea.Cmd { return m.askActionCmd("stop", "", ts) }
		if len(ts) > 1 {
			return m, dialogCmd(confirmDialog(&sh.keys, fmt.Sprintf("Stop %d containers?", len(ts)), namesOf(ts, m.hostOfEach(ts)), stop))
		}
		return m, stop()
	case matches(msg, k.Remove):
		ts := m.targets()
		on := m.hostOfEach(ts)
		running := 0
		for _, t := range ts {
			if t.State.Running() {
				running++
			}
		}
		text := namesOf(ts, on)
		if running > 0 {
			text += fmt.Sprintf("\n%d running: they will be killed first", running)
		}
		title := "Remove " + name + "?"
		if len(ts) > 1 {
			title = fmt.Sprintf("Remove %d containers?", len(ts))
		}
		return m, dialogCmd(confirmDialog(&sh.keys, title, text, func() tea.Cmd { return m.askActionCmd("remove", "", ts) }))
	case matches(msg, k.Kill):
		ts := m.targets()
		title := "Send a signal to " + name
		if len(ts) > 1 {
			title = fmt.Sprintf("Send a signal to %d containers", len(ts))
		}
		return m, dialogCmd(menuDialog(&sh.keys, title, signalChoices, 0, func(sig string) tea.Cmd {
			return m.askActionCmd("kill", sig, ts)
		}))
	case matches(msg, k.Rename):
		return m, dialogCmd(promptDialog(&sh.keys, "Rename "+name, c.DisplayName(), func(to string) tea.Cmd {
			if to == "" || to == c.DisplayName() {
				return nil
			}
			return actionCmd("rename "+name, "renamed "+name+" to "+to, func() error { return sh.backend.Rename(sh.ctx, c.ID, to) })
		}))
	}
	return m, nil
}

// signalChoices is the kill menu, most used first.
var signalChoices = []string{"SIGTERM", "SIGKILL", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP", "SIGCONT"}

// namesOf names containers, each with its host in on when there are
// several (on may be nil: names alone).
func namesOf(cs []*engine.Container, on hostsOf) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = on.name(c)
	}
	return strings.Join(names, ", ")
}

func (m containersModel) scroll(d int) containersModel {
	m.nav.move(d)
	return m
}

// click selects the row under the pointer, or sorts by the column whose
// title was clicked.
func (m containersModel) click(x, y int) (containersModel, tea.Cmd) {
	switch {
	case y == 1:
		l := m.fit
		pos := 0
		for shown, w := range l.widths {
			if i := l.own[shown]; x >= pos && x < pos+w && slices.Contains(containerSorts, i) {
				return m.sortOn(i, true), nil
			}
			pos += w + 1
		}
	case y >= 2:
		if i := m.nav.clickRow(y - 2); i >= 0 {
			m.nav.Cursor = i
			m.nav.clamp()
		}
	}
	return m, nil
}

// table is the list's HOST column, shown after the mark.
func (m containersModel) table() hostTable { return hostTable{sh: m.sh, at: 1} }

func (m containersModel) copyText() (string, string) {
	if c := m.selected(); c != nil {
		return c.ID, "the ID of " + c.DisplayName()
	}
	if g := m.selectedGroup(); g != nil && g.pod != nil {
		return g.pod.SandboxID, "the ID of pod " + g.title()
	}
	if g := m.selectedGroup(); g != nil {
		return g.project, "the name of project " + g.project
	}
	return "", ""
}

// view is the table, then a line for each host that shows no rows.
func (m containersModel) view() string {
	lines := append([]string{m.tableView()}, noteLines(&m.sh.styles, m.hostRows.notes(m.sh), "list of containers", m.width)...)
	return strings.Join(lines, "\n")
}

func (m containersModel) tableView() string {
	st := &m.sh.styles
	var b strings.Builder
	b.WriteString(m.infoLine())
	b.WriteByte('\n')
	t := m.table()
	now := m.sh.now()
	l := m.fit
	b.WriteString(renderHeader(st, l.cols, l.widths, l.at(m.sortBy), m.desc))
	if !m.loaded {
		b.WriteString("\n" + st.Faint.Render(" loading…"))
		return b.String()
	}
	if len(m.rows) == 0 {
		msg := " no containers"
		if !m.all {
			msg = " no running containers (" + m.sh.keys.Containers.All.Help().Key + " shows all)"
		}
		if m.filter.Value() != "" {
			msg = " nothing matches the filter"
		}
		b.WriteString("\n" + st.Faint.Render(msg))
		return b.String()
	}
	from, to := m.nav.visible()
	for i := from; i < to; i++ {
		c := m.rows[i]
		b.WriteByte('\n')
		if g := m.groupAt(i); g != nil {
			b.WriteString(m.headingView(g, m.depthAt(i), l, i == m.nav.Cursor))
			continue
		}
		b.WriteString(renderRow(st, l.cols, l.widths, l.pick(t.cells(m.rowCells(i, now), m.hostOf[c])), i == m.nav.Cursor))
	}
	return b.String()
}

func (m containersModel) infoLine() string {
	st := &m.sh.styles
	if m.editing || m.filter.Value() != "" {
		return " " + m.filter.View()
	}
	scope := "running"
	if m.all {
		scope = "all"
	}
	parts := []string{fmt.Sprintf("%d containers (%s)", m.containerRows(), scope),
		"sorted by " + strings.TrimSpace(containerColumns[m.sortBy].Title)}
	if n := len(m.marks); n > 0 {
		parts = append(parts, fmt.Sprintf("%d marked", n))
	}
	if c := m.selected(); c != nil {
		parts = append(parts, shortID(c.ID)+" "+commandText(c))
	}
	if g := m.selectedGroup(); g != nil {
		parts = append(parts, g.about())
	}
	return fitLine(st.Faint.Render(" "+strings.Join(parts, " · ")), m.width)
}

func (m containersModel) cells(c *engine.Container, now time.Time) []cell {
	st := &m.sh.styles
	mark := " "
	k := m.keyOf(c)
	if m.marks[k] {
		mark = "●"
	}
	status := m.statusOf(c, now)
	statusStyle := listStatusTone(c, now).style(st)
	if m.busy[k] != "" {
		statusStyle = &st.Paused // a transitional state: Stopping…, Removing…
	}
	cpu, spark, mem, pids, net := "", "", "", "", ""
	if s := m.last[k]; s != nil && c.State.Running() {
		cpu = fmt.Sprintf("%.1f", m.cpuNow[k])
		spark = sparkline(m.cpu[k], 6, 100)
		mem = humanIEC(s.MemoryUsage) + " / " + humanIEC(s.MemoryLimit)
		pids = fmt.Sprint(s.PidsCurrent)
		net = "-"
		if netlessMode(c) == "" {
			r := m.netNow[k]
			net = compactBytes(r.rx) + "/s " + compactBytes(r.tx) + "/s"
		}
	}
	return []cell{
		styled(mark, &st.Marked),
		plain(c.DisplayName()),
		plain(c.Config.Image),
		styled(status, statusStyle),
		restartsCell(st, c),
		plain(cpu),
		styled(spark, &st.Spark),
		plain(mem),
		plain(pids),
		plain(net),
		plain(portsText(c)),
	}
}

// netRateOf is the traffic between two samples of one container; a
// counter that went back (the interfaces were remade) reads as none.
func netRateOf(prev, cur *engine.Stats) netRate {
	dt := cur.Time.Sub(prev.Time).Seconds()
	if dt <= 0 {
		return netRate{}
	}
	var r netRate
	if cur.NetRx >= prev.NetRx {
		r.rx = float64(cur.NetRx-prev.NetRx) / dt
	}
	if cur.NetTx >= prev.NetTx {
		r.tx = float64(cur.NetTx-prev.NetTx) / dt
	}
	return r
}

// navKey moves a list cursor for the shared movement keys.
func navKey(nav *listNav, g *globalKeys, msg tea.KeyPressMsg) bool {
	switch {
	case matches(msg, g.Up):
		nav.move(-1)
	case matches(msg, g.Down):
		nav.move(1)
	case matches(msg, g.PageUp):
		nav.move(-max(nav.Height-1, 1))
	case matches(msg, g.PageDown):
		nav.move(max(nav.Height-1, 1))
	case matches(msg, g.Home):
		nav.home()
	case matches(msg, g.End):
		nav.end()
	default:
		return false
	}
	return true
}

func openCmd(msg openMsg) tea.Cmd { return func() tea.Msg { return msg } }
func dialogCmd(d dialog) tea.Cmd  { return func() tea.Msg { return dialogMsg{d: d} } }
func infoCmd(text string) tea.Cmd { return func() tea.Msg { return statusMsg{text: text} } }
func statusCmd(err error) tea.Cmd { return func() tea.Msg { return statusMsg{err: err} } }

// actionCmd runs one change; failed names the operation, done is the
// status line on success.
func actionCmd(failed, done string, fn func() error) tea.Cmd {
	return func() tea.Msg {
		if err := fn(); err != nil {
			return actionMsg{what: failed, err: err}
		}
		return actionMsg{what: done}
	}
}

func pastTense(verb string) string {
	switch verb {
	case "stop":
		return "stopped"
	}
	if strings.HasSuffix(verb, "e") {
		return verb + "d"
	}
	return verb + "ed"
}

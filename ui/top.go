package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// topMsg is one sample of a container's processes and cgroup.
type topMsg struct {
	gen   int
	at    time.Time
	procs []engine.Process
	stats *engine.Stats
	err   error
}

// procRow is a process with its rates between the last two samples.
type procRow struct {
	engine.Process
	cpu   float64
	read  float64
	write float64
}

// topModel is the top screen: a container's processes with CPU and I/O
// rates, and the container's totals against its limits.
type topModel struct {
	sh       *shared
	gen      int
	ref      string
	name     string
	cores    float64 // CPU limit in cores, 0 unlimited
	netless  string  // "host" or "none": no interface of its own to count
	width    int
	height   int
	inFlight bool
	loaded   bool

	at        time.Time
	prevProcs map[int]engine.Process
	prevStats *engine.Stats
	stats     *engine.Stats
	rows      []procRow
	nav       listNav
	sortBy    int
	desc      bool

	cpuHist  history
	memHist  history
	ioHist   history
	netHist  history
	pidsHist history
	cpuTotal float64
	readBps  float64
	writeBps float64
	net      netRate
}

var topColumns = []column{
	{Title: "PID", Width: 7, Right: true},
	{Title: "CPID", Width: 5, Right: true},
	{Title: "USER", Width: 8},
	{Title: "S", Width: 1},
	{Title: "CPU%", Width: 6, Right: true},
	{Title: "RSS", Width: 9, Right: true},
	{Title: "READ/s", Width: 9, Right: true},
	{Title: "WRITE/s", Width: 9, Right: true},
	{Title: "COMMAND", Width: 20, Flex: true},
}

// topNarrow is the width below which top drops the columns a pane-side
// view can live without (CPID, USER, S) and stacks its totals.
const topNarrow = 80

// columns are the columns drawn at the screen's width, and for each the
// index of the full column it is (what sortBy counts in).
func (m topModel) columns() ([]column, []int) {
	if m.width >= topNarrow {
		idx := make([]int, len(topColumns))
		for i := range idx {
			idx[i] = i
		}
		return topColumns, idx
	}
	idx := []int{0, 4, 5, 6, 7, 8}
	cols := make([]column, len(idx))
	for i, j := range idx {
		cols[i] = topColumns[j]
	}
	cols[0].Width, cols[2].Width, cols[3].Width, cols[4].Width = 6, 7, 8, 8
	cols[5].Width = 10
	return cols, idx
}

// totalsHeight is the lines of totals above the process table.
func (m topModel) totalsHeight() int {
	if m.width >= topNarrow {
		return 4
	}
	return 6
}

func newTopModel(sh *shared, gen int, c *engine.Container) topModel {
	return topModel{
		sh: sh, gen: gen, ref: c.ID, name: c.DisplayName(), netless: netlessMode(c),
		cores: float64(c.HostConfig.NanoCPUs) / 1e9, sortBy: 4, desc: true,
	}
}

func (m topModel) init() tea.Cmd { return func() tea.Msg { return refreshMsg{} } }

func (m topModel) close() topModel { m.gen = -1; return m }

func (m topModel) setSize(w, h int) topModel {
	m.width, m.height = w, h
	m.nav.resize(max(h-m.totalsHeight()-1, 1), len(m.rows))
	return m
}

func (m topModel) update(msg tea.Msg) (topModel, tea.Cmd) {
	switch msg := msg.(type) {
	case refreshMsg:
		if m.inFlight || m.gen < 0 {
			return m, nil
		}
		m.inFlight = true
		return m, topCmd(m.sh, m.gen, m.ref)
	case topMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.inFlight = false
		if msg.err != nil {
			return m, statusCmd(fmt.Errorf("top %s: %w", m.name, msg.err))
		}
		return m.absorb(msg), nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

// absorb turns two samples into rates, keyed by host PID and start time
// so a reused PID starts afresh.
func (m topModel) absorb(msg topMsg) topModel {
	dt := msg.at.Sub(m.at).Seconds()
	var keep int
	if i := m.nav.Cursor; i < len(m.rows) {
		keep = m.rows[i].HostPID
	}
	rows := make([]procRow, len(msg.procs))
	cur := make(map[int]engine.Process, len(msg.procs))
	for i, p := range msg.procs {
		rows[i] = procRow{Process: p}
		cur[p.HostPID] = p
		prev, ok := m.prevProcs[p.HostPID]
		if !ok || dt <= 0 || !prev.StartTime.Equal(p.StartTime) {
			continue
		}
		if p.CPUTime >= prev.CPUTime {
			rows[i].cpu = (p.CPUTime - prev.CPUTime).Seconds() / dt * 100
		}
		if p.ReadBytes >= prev.ReadBytes {
			rows[i].read = float64(p.ReadBytes-prev.ReadBytes) / dt
		}
		if p.WriteBytes >= prev.WriteBytes {
			rows[i].write = float64(p.WriteBytes-prev.WriteBytes) / dt
		}
	}
	if msg.stats != nil {
		if m.stats != nil {
			m.cpuTotal = engine.CPUPercent(m.stats, msg.stats)
			m.readBps, m.writeBps = procsIO(rows)
			m.net = netRateOf(m.stats, msg.stats)
			m.cpuHist = m.cpuHist.push(m.cpuTotal, 60)
			m.ioHist = m.ioHist.push(m.readBps+m.writeBps, 60)
			m.netHist = m.netHist.push(m.net.rx+m.net.tx, 60)
		}
		m.prevStats, m.stats = m.stats, msg.stats
		m.memHist = m.memHist.push(float64(msg.stats.MemoryUsage), 60)
		m.pidsHist = m.pidsHist.push(float64(msg.stats.PidsCurrent), 60)
	}
	m.prevProcs, m.at, m.loaded = cur, msg.at, true
	m.rows = rows
	m.sortRows()
	m.nav.resize(max(m.height-m.totalsHeight()-1, 1), len(m.rows))
	for i, r := range m.rows {
		if r.HostPID == keep {
			m.nav.Cursor = i
			m.nav.clamp()
		}
	}
	return m
}

func (m *topModel) sortRows() {
	slices.SortStableFunc(m.rows, func(a, b procRow) int {
		var r int
		switch m.sortBy {
		case 1:
			r = cmp.Compare(a.PID, b.PID)
		case 2:
			r = cmp.Compare(a.User, b.User)
		case 3:
			r = cmp.Compare(a.State, b.State)
		case 4:
			r = cmp.Compare(a.cpu, b.cpu)
		case 5:
			r = cmp.Compare(a.RSS, b.RSS)
		case 6:
			r = cmp.Compare(a.read, b.read)
		case 7:
			r = cmp.Compare(a.write, b.write)
		case 8:
			r = cmp.Compare(a.Command, b.Command)
		}
		if r == 0 {
			r = cmp.Compare(a.HostPID, b.HostPID)
			if m.desc {
				r = -r
			}
		}
		if m.desc {
			return -r
		}
		return r
	})
}

func (m topModel) key(msg tea.KeyPressMsg) (topModel, tea.Cmd) {
	k, g := &m.sh.keys.Top, &m.sh.keys.Global
	if navKey(&m.nav, g, msg) {
		return m, nil
	}
	switch {
	case matches(msg, k.SortNext), matches(msg, k.SortPrev):
		_, idx := m.columns()
		i := slices.Index(idx, m.sortBy)
		if matches(msg, k.SortNext) {
			i = (i + 1) % len(idx)
		} else {
			i = (i - 1 + len(idx)) % len(idx)
		}
		m.sortBy = idx[i]
	case matches(msg, k.SortRev):
		m.desc = !m.desc
	case matches(msg, k.ExecPane):
		return m, terminalCmd(m.sh, m.ref, m.name, SessionShell)
	case matches(msg, k.Signal):
		p, ok := m.selected()
		if !ok {
			return m, nil
		}
		sh, ref, pid := m.sh, m.ref, p.HostPID
		what := fmt.Sprintf("process %d (%s)", p.HostPID, firstWord(p.Command))
		return m, dialogCmd(menuDialog(&sh.keys, "Send a signal to "+what, signalChoices, 0, func(sig string) tea.Cmd {
			return actionCmd("signal "+what, "sent "+sig+" to "+what, func() error {
				return sh.backend.Signal(sh.ctx, ref, pid, sig)
			})
		}))
	default:
		return m, nil
	}
	m.sortRows()
	return m, nil
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

func (m topModel) selected() (procRow, bool) {
	if m.nav.Cursor < len(m.rows) {
		return m.rows[m.nav.Cursor], true
	}
	return procRow{}, false
}

func (m topModel) scroll(d int) topModel { m.nav.move(d); return m }

func (m topModel) click(x, y int) topModel {
	y -= m.totalsHeight()
	switch {
	case y == 0:
		cols, idx := m.columns()
		pos := 0
		for i, w := range layoutColumns(cols, m.width) {
			if x >= pos && x < pos+w {
				if m.sortBy == idx[i] {
					m.desc = !m.desc
				}
				m.sortBy = idx[i]
				m.sortRows()
				break
			}
			pos += w + 1
		}
	case y > 0:
		if i := m.nav.clickRow(y - 1); i >= 0 {
			m.nav.Cursor = i
			m.nav.clamp()
		}
	}
	return m
}

func (m topModel) copyText() (string, string) {
	if p, ok := m.selected(); ok {
		return p.Command, "the command line"
	}
	return "", ""
}

func (m topModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	b.WriteString(m.totalsView())
	b.WriteByte('\n')
	cols, idx := m.columns()
	widths := layoutColumns(cols, m.width)
	sorted := -1
	for i, j := range idx {
		if j == m.sortBy {
			sorted = i
		}
	}
	b.WriteString(renderHeader(st, cols, widths, sorted, m.desc))
	if !m.loaded {
		b.WriteString("\n" + st.Faint.Render(" reading processes…"))
		return b.String()
	}
	from, to := m.nav.visible()
	for i := from; i < to; i++ {
		p := m.rows[i]
		all := []cell{
			plain(fmt.Sprint(p.HostPID)), plain(fmt.Sprint(p.PID)), plain(p.User),
			plain(p.State), plain(fmt.Sprintf("%.1f", p.cpu)), plain(humanIEC(p.RSS)),
			plain(humanRate(p.read)), plain(humanRate(p.write)), plain(p.Command),
		}
		cells := make([]cell, len(idx))
		for k, j := range idx {
			cells[k] = all[j]
		}
		b.WriteByte('\n')
		b.WriteString(renderRow(st, cols, widths, cells, i == m.nav.Cursor))
	}
	return b.String()
}

// totalsView is the container against its limits (CPU, memory, pids)
// on the left and its traffic (block I/O, network) on the right, each
// with a sparkline; stacked in one column when narrow.
func (m topModel) totalsView() string {
	st := &m.sh.styles
	narrow := m.width < topNarrow
	half := m.width / 2
	if narrow {
		half = m.width
	}
	item := func(label, value string, h history, top float64) string {
		sparkW := max(half-6-26-2, 4)
		return fit(st.HeaderLabel.Render(fmt.Sprintf(" %-5s", label))+st.HeaderValue.Render(fit(value, 26, false))+" "+
			st.Spark.Render(sparkline(h, sparkW, top)), half, false)
	}
	s := m.stats
	if s == nil {
		s = &engine.Stats{}
	}
	cpu := cpuText(m.cpuTotal, m.cores)
	cpuTop := 100.0
	if m.cores > 0 {
		cpuTop = m.cores * 100
	}
	mem := humanIEC(s.MemoryUsage) + " / " + humanIEC(s.MemoryLimit)
	if s.MemoryLimit > 0 {
		mem += fmt.Sprintf(" (%.1f%%)", float64(s.MemoryUsage)/float64(s.MemoryLimit)*100)
	}
	pids := fmt.Sprintf("%d (no limit)", s.PidsCurrent)
	if s.PidsLimit > 0 {
		pids = fmt.Sprintf("%d / %d", s.PidsCurrent, s.PidsLimit)
	}
	io := fmt.Sprintf("disk r %s w %s", humanRate(m.readBps), humanRate(m.writeBps))
	net := fmt.Sprintf("rx %s tx %s", humanRate(m.net.rx), humanRate(m.net.tx))
	if m.netless != "" {
		net = "- (network " + m.netless + ")"
	}
	cpuL, memL := item("CPU", cpu, m.cpuHist, cpuTop), item("MEM", mem, m.memHist, float64(s.MemoryLimit))
	pidsL, ioL := item("PIDS", pids, m.pidsHist, float64(s.PidsLimit)), item("I/O", io, m.ioHist, 0)
	netL := item("NET", net, m.netHist, 0)
	if narrow {
		return strings.Join([]string{cpuL, memL, pidsL, ioL, netL, ""}, "\n")
	}
	return cpuL + ioL + "\n" + memL + netL + "\n" + pidsL + "\n"
}

func topCmd(sh *shared, gen int, ref string) tea.Cmd {
	return func() tea.Msg {
		procs, err := sh.backend.Top(sh.ctx, ref)
		if err != nil {
			return topMsg{gen: gen, err: err}
		}
		stats, err := sh.backend.Stats(sh.ctx, ref)
		if err != nil {
			stats = nil
		}
		return topMsg{gen: gen, at: sh.now(), procs: procs, stats: stats}
	}
}

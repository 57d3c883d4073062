package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"berth/engine"
)

type timelineMsg struct {
	gen    int
	events []Event
	err    error
}

// timelineModel is one container's history, newest at the bottom.
type timelineModel struct {
	sh       *shared
	gen      int
	ref      string
	name     string
	width    int
	height   int
	inFlight bool
	loaded   bool
	events   []Event
	nav      listNav
}

var timelineColumns = []column{
	{Title: "TIME", Width: 19},
	{Title: "AGO", Width: 20},
	{Title: "EVENT", Width: 10},
	{Title: "DETAIL", Width: 30, Flex: true},
}

func newTimelineModel(sh *shared, gen int, c *engine.Container) timelineModel {
	return timelineModel{sh: sh, gen: gen, ref: c.ID, name: c.DisplayName()}
}

func (m timelineModel) init() tea.Cmd { return func() tea.Msg { return refreshMsg{} } }

func (m timelineModel) setSize(w, h int) timelineModel {
	m.width, m.height = w, h
	m.nav.resize(max(h-2, 1), len(m.events))
	return m
}

func (m timelineModel) update(msg tea.Msg) (timelineModel, tea.Cmd) {
	switch msg := msg.(type) {
	case refreshMsg:
		if m.inFlight {
			return m, nil
		}
		m.inFlight = true
		sh, gen, ref := m.sh, m.gen, m.ref
		return m, func() tea.Msg {
			events, err := sh.backend.Events(sh.ctx, ref)
			return timelineMsg{gen: gen, events: events, err: err}
		}
	case timelineMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.inFlight = false
		if msg.err != nil {
			return m, statusCmd(fmt.Errorf("timeline of %s: %w", m.name, msg.err))
		}
		atEnd := !m.loaded || m.nav.Cursor >= len(m.events)-1
		m.loaded, m.events = true, msg.events
		m.nav.resize(max(m.height-2, 1), len(m.events))
		if atEnd {
			m.nav.end()
		}
		return m, nil
	case tea.KeyPressMsg:
		navKey(&m.nav, &m.sh.keys.Global, msg)
	}
	return m, nil
}

func (m timelineModel) scroll(d int) timelineModel { m.nav.move(d); return m }

func (m timelineModel) click(y int) timelineModel {
	m.nav.pick(y - 2)
	return m
}

func (m timelineModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	b.WriteString(st.Faint.Render(fmt.Sprintf(" history of %s · %d events", m.name, len(m.events))))
	b.WriteByte('\n')
	widths := layoutColumns(timelineColumns, m.width)
	b.WriteString(renderHeader(st, timelineColumns, widths, -1, false))
	switch {
	case !m.loaded:
		b.WriteString("\n" + st.Faint.Render(" loading…"))
	case len(m.events) == 0:
		b.WriteString("\n" + st.Faint.Render(" no events recorded"))
	}
	now := m.sh.now()
	from, to := m.nav.visible()
	for i := from; i < to; i++ {
		e := m.events[i]
		action, detail, style := describeEvent(st, e)
		cells := []cell{
			plain(e.Time.In(now.Location()).Format("2006-01-02 15:04:05")),
			plain(humanDuration(now.Sub(e.Time)) + " ago"),
			styled(action, style),
			plain(detail),
		}
		b.WriteByte('\n')
		b.WriteString(renderRow(st, timelineColumns, widths, cells, i == m.nav.Cursor))
	}
	return b.String()
}

// describeEvent is how the timeline words one event.
func describeEvent(st *styles, e Event) (string, string, *lipgloss.Style) {
	switch e.Action {
	case "create":
		return "created", e.Detail, &st.Faint
	case "start":
		return "started", e.Detail, &st.Running
	case "die":
		d := fmt.Sprintf("exited with code %d", e.ExitCode)
		if e.Detail != "" {
			d += " · " + e.Detail
		}
		return "exited", d, &st.Exited
	case "oom":
		return "OOM-killed", "out of memory: the kernel killed a process", &st.Error
	case "restart":
		return "restarted", fmt.Sprintf("restart #%d by the restart policy", e.Restarts), &st.Paused
	case "pause":
		return "paused", e.Detail, &st.Paused
	case "unpause":
		return "unpaused", e.Detail, &st.Running
	case "kill":
		return "killed", "signal " + e.Signal, &st.Exited
	case "stop":
		return "stopped", e.Detail, &st.Faint
	case "exec_start":
		return "exec", "a process started inside (shell or exec)", &st.Faint
	case "exec_die":
		return "exec ended", fmt.Sprintf("exit code %d", e.ExitCode), &st.Faint
	case "rename":
		return "renamed", e.Detail, &st.Faint
	case "destroy":
		return "removed", e.Detail, &st.Exited
	}
	return e.Action, e.Detail, &st.Faint
}

package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"berth/engine"
	"berth/engine/events"
)

// The events screen: everything the current host's engine records
// (containers, images, networks, volumes), oldest at the top and newest
// at the bottom, following live as `docker events` does. It opens with
// the history the event log keeps, then follows; a cursor on the last
// row stays on the last row. Pausing keeps the view still while events
// go on arriving (counted as new); following again shows them. The
// filter prompt and the quick filters are eventsfilter.go's. Enter on a
// container's event opens its timeline (timeline.go), which reads the
// same log.

// Messages of the events screen.
type (
	// eventsStartMsg is the stream opened (or not).
	eventsStartMsg struct {
		gen    int
		stream *eventStream
		err    error
	}
	// eventsBatchMsg is the events that arrived since the last one, in
	// order; done says the stream ended after them.
	eventsBatchMsg struct {
		gen    int
		stream *eventStream
		events []events.Event
		done   bool
	}
)

// eventStream is one follow of the host's events.
type eventStream struct {
	ch     <-chan events.Event
	cancel context.CancelFunc
}

// eventsKept is how many events the screen holds: the oldest go first,
// eventsSlack at a time (so a busy host's every event does not copy the
// list).
const (
	eventsKept  = 5000
	eventsSlack = 500
)

// eventsBatchMax is the most events one message carries.
const eventsBatchMax = 512

// eventRow is an event the screen keeps, numbered in arrival order.
type eventRow struct {
	seq int
	events.Event
}

// eventsModel is the events screen.
type eventsModel struct {
	sh     *shared
	gen    int
	width  int
	height int
	stream *eventStream
	loaded bool // the stream opened
	ended  bool // the stream ended (a remote host gone); a refresh follows again

	all     []*eventRow // every event kept, oldest first
	rows    []*eventRow // those the filters pass
	seq     int         // the number of the next event
	paused  bool
	pending []events.Event // arrived while paused

	filter  textField
	editing bool
	typ     string // the quick filter by type; "" every type
	action  string // the quick filter by action; "" every action
	query   eventQuery
	nav     listNav
}

var eventsColumns = []column{
	{Title: "TIME", Width: 19},
	{Title: "AGO", Width: 17},
	{Title: "TYPE", Width: 9},
	{Title: "ACTION", Width: 11},
	{Title: "OBJECT", Width: 16},
	{Title: "DETAIL", Width: 14, Flex: true},
}

func newEventsModel(sh *shared, gen int) eventsModel {
	f := textinput.New()
	f.Prompt = "/"
	f.Placeholder = "filter by type, action, name, ID, attributes or key=value"
	m := eventsModel{sh: sh, gen: gen, filter: newTextField(f)}
	m.filter.SetWidth(40)
	return m
}

// open starts following sh's events from the oldest the log keeps,
// keeping the filters of the last visit.
func (m eventsModel) open(sh *shared, gen int) (eventsModel, tea.Cmd) {
	m = m.close()
	m.sh, m.gen = sh, gen
	m.all, m.rows, m.pending, m.loaded, m.ended, m.paused = nil, nil, nil, false, false, false
	m.nav = listNav{Height: m.nav.Height}
	return m.follow()
}

// follow opens a stream of the events from the last one kept on (all
// of them when none is).
func (m eventsModel) follow() (eventsModel, tea.Cmd) {
	ctx, cancel := context.WithCancel(m.sh.ctx)
	s := &eventStream{cancel: cancel}
	m.stream = s
	since := m.lastTime()
	sh, gen := m.sh, m.gen
	return m, func() tea.Msg {
		ch, err := sh.backend.FollowEvents(ctx, since)
		s.ch = ch
		return eventsStartMsg{gen: gen, stream: s, err: err}
	}
}

// close stops the stream; its late batches are dropped.
func (m eventsModel) close() eventsModel {
	if m.stream != nil {
		m.stream.cancel()
		m.stream = nil
	}
	return m
}

func (m eventsModel) setSize(w, h int) eventsModel {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-70, 10)) // beside the count and the quick filters
	m.nav.resize(max(h-2, 1), len(m.rows))
	return m
}

func (m eventsModel) capturing() bool { return m.editing }

func (m eventsModel) update(msg tea.Msg) (eventsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case eventsStartMsg:
		if msg.gen != m.gen || msg.stream != m.stream {
			return m, nil
		}
		m.loaded = true
		if msg.err != nil {
			m.ended = true
			return m, statusCmd(fmt.Errorf("events of %s: %w", m.sh.hostName, msg.err))
		}
		return m, waitEventsCmd(m.gen, msg.stream)
	case eventsBatchMsg:
		if msg.gen != m.gen || msg.stream != m.stream {
			return m, nil
		}
		if m.paused {
			m.pending = append(m.pending, msg.events...)
		} else {
			m = m.add(msg.events)
		}
		if msg.done {
			m.ended = true
			return m, nil
		}
		return m, waitEventsCmd(m.gen, msg.stream)
	case refreshMsg:
		if m.ended && m.stream != nil {
			m.stream.cancel()
			m.ended = false
			return m.follow()
		}
		return m, nil
	case eventActionMsg:
		if msg.gen == m.gen {
			m.action = msg.action
			return m.relist(), nil
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.editing {
			var cmd tea.Cmd
			m.filter, m.editing, cmd = editFilter(m.filter, &m.sh.keys.Global, msg)
			return m.relist(), cmd
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

// eventActionMsg is the action menu's choice ("" every action).
type eventActionMsg struct {
	gen    int
	action string
}

func (m eventsModel) key(msg tea.KeyPressMsg) (eventsModel, tea.Cmd) {
	k, g := &m.sh.keys.Events, &m.sh.keys.Global
	if navKey(&m.nav, g, msg) {
		return m, nil
	}
	switch {
	case matches(msg, g.Back):
		if m.filter.Value() != "" || m.typ != "" || m.action != "" {
			m.filter.SetValue("")
			m.typ, m.action = "", ""
			return m.relist(), nil
		}
	case matches(msg, g.Filter):
		m.editing = true
		return m, m.filter.Focus()
	case matches(msg, k.Type):
		m.typ = nextEventType(m.typ)
		return m.relist(), nil
	case matches(msg, k.Action):
		return m, dialogCmd(m.actionMenu())
	case matches(msg, k.Pause):
		return m.pause(!m.paused), nil
	case matches(msg, k.Timeline), matches(msg, k.Inspect):
		r := m.selected()
		if r == nil || r.Type != events.TypeContainer {
			return m, infoCmd("not a container's event")
		}
		c := &engine.Container{ID: r.ID, Name: strings.TrimPrefix(eventObject(r.Event), "/")}
		to := stateTimeline
		if matches(msg, k.Inspect) {
			to = stateInspect
		}
		return m, openCmd(openMsg{to: to, container: c, sh: m.sh})
	}
	return m, nil
}

// pause stops or resumes the view's following; resuming shows what came
// meanwhile, and goes to the end when the cursor was on the last row.
func (m eventsModel) pause(on bool) eventsModel {
	m.paused = on
	if on || len(m.pending) == 0 {
		return m
	}
	pending := m.pending
	m.pending = nil
	return m.add(pending)
}

// add keeps evs, drops the oldest past eventsKept (once eventsSlack
// more have come), and shows those the filters pass; a cursor on the
// last row follows to the new last row, another stays on its event.
func (m eventsModel) add(evs []events.Event) eventsModel {
	atEnd := m.nav.Cursor >= len(m.rows)-1
	for _, e := range evs {
		r := &eventRow{seq: m.seq, Event: e}
		m.seq++
		m.all = append(m.all, r)
		if m.query.match(e) {
			m.rows = append(m.rows, r)
		}
	}
	if n := len(m.all) - eventsKept; n > eventsSlack {
		first := m.all[n].seq
		m.all = slices.Clone(m.all[n:])
		cut := 0
		for cut < len(m.rows) && m.rows[cut].seq < first {
			cut++
		}
		m.rows = slices.Clone(m.rows[cut:])
		m.nav.Cursor -= cut
	}
	m.nav.resize(max(m.height-2, 1), len(m.rows))
	if atEnd {
		m.nav.end()
	}
	return m
}

// relist applies the filters anew, the cursor kept on its event (or at
// the end).
func (m eventsModel) relist() eventsModel {
	var keep *eventRow
	atEnd := m.nav.Cursor >= len(m.rows)-1
	if r := m.selected(); r != nil {
		keep = r
	}
	m.query = parseEventQuery(m.filter.Value(), m.typ, m.action)
	m.rows = m.rows[:0:0]
	for _, r := range m.all {
		if m.query.match(r.Event) {
			m.rows = append(m.rows, r)
		}
	}
	m.nav.resize(max(m.height-2, 1), len(m.rows))
	if i := slices.Index(m.rows, keep); i >= 0 && !atEnd {
		m.nav.Cursor = i
		m.nav.clamp()
	} else {
		m.nav.end()
	}
	return m
}

func (m eventsModel) selected() *eventRow {
	if m.nav.Cursor < 0 || m.nav.Cursor >= len(m.rows) {
		return nil
	}
	return m.rows[m.nav.Cursor]
}

// lastTime is the time of the last event kept or pending, to follow on
// from; zero when none is.
func (m eventsModel) lastTime() time.Time {
	if n := len(m.pending); n > 0 {
		return m.pending[n-1].Time.Add(time.Nanosecond)
	}
	if n := len(m.all); n > 0 {
		return m.all[n-1].Time.Add(time.Nanosecond)
	}
	return time.Time{}
}

// actionMenu offers every action among the events of the type filter.
func (m eventsModel) actionMenu() dialog {
	seen := map[string]bool{}
	for _, r := range m.all {
		if m.typ == "" || r.Type == m.typ {
			seen[baseAction(r.Action)] = true
		}
	}
	const every = "every action"
	choices := append([]string{every}, slices.Sorted(maps.Keys(seen))...)
	cursor := max(slices.Index(choices, m.action), 0)
	gen := m.gen
	return menuDialog(&m.sh.keys, "Show the events of one action", choices, cursor, func(a string) tea.Cmd {
		if a == every {
			a = ""
		}
		return func() tea.Msg { return eventActionMsg{gen: gen, action: a} }
	})
}

func (m eventsModel) scroll(d int) eventsModel { m.nav.move(d); return m }

func (m eventsModel) click(y int) eventsModel {
	m.nav.pick(y - 2)
	return m
}

func (m eventsModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	b.WriteString(fitLine(m.infoLine(), m.width))
	b.WriteByte('\n')
	widths := layoutColumns(eventsColumns, m.width)
	b.WriteString(renderHeader(st, eventsColumns, widths, -1, false))
	switch {
	case !m.loaded:
		b.WriteString("\n" + st.Faint.Render(" loading…"))
	case len(m.rows) == 0 && len(m.all) > 0:
		b.WriteString("\n" + st.Faint.Render(" no event passes the filters (esc clears them)"))
	case len(m.rows) == 0:
		b.WriteString("\n" + st.Faint.Render(" no events recorded yet"))
	}
	now := m.sh.now()
	from, to := m.nav.visible()
	for i := from; i < to; i++ {
		r := m.rows[i]
		action, detail, style := eventCells(st, r.Event)
		cells := []cell{
			plain(r.Time.In(now.Location()).Format("2006-01-02 15:04:05")),
			plain(humanDuration(now.Sub(r.Time)) + " ago"),
			plain(r.Type),
			styled(action, style),
			plain(eventObject(r.Event)),
			plain(detail),
		}
		b.WriteByte('\n')
		b.WriteString(renderRow(st, eventsColumns, widths, cells, i == m.nav.Cursor))
	}
	return b.String()
}

// infoLine is the count, the quick filters, whether the view follows,
// and the filter when there is one.
func (m eventsModel) infoLine() string {
	st := &m.sh.styles
	var parts []string
	count := fmt.Sprintf("%d events", len(m.all))
	if !m.query.empty() {
		count = fmt.Sprintf("%d of %d events", len(m.rows), len(m.all))
	}
	typ, action := m.typ, m.action
	if typ == "" {
		typ = "all"
	}
	if action == "" {
		action = "all"
	}
	parts = append(parts, st.Faint.Render(count+" · type: "+typ+" · action: "+action))
	switch {
	case m.paused:
		parts = append(parts, st.Paused.Render(fmt.Sprintf("paused · %d new (%s follows)", len(m.pending), m.sh.keys.Events.Pause.Help().Key)))
	case m.ended:
		parts = append(parts, st.Error.Render("stream ended"))
	case m.loaded:
		parts = append(parts, st.Running.Render("following"))
	}
	if m.editing || m.filter.Value() != "" {
		parts = append(parts, m.filter.View())
	}
	return " " + strings.Join(parts, st.Faint.Render(" · "))
}

// eventCells are the action (coloured as the timeline colours it) and
// the detail of e: what follows the action (an exec's command), else the
// timeline's wording for a container's event, the attributes for the
// others (a container named by its short ID).
func eventCells(st *styles, e events.Event) (string, string, *lipgloss.Style) {
	action, suffix, _ := strings.Cut(e.Action, ":")
	if e.Type == events.TypeContainer {
		_, detail, style := describeEvent(st, eventOf(e))
		if suffix != "" {
			detail = strings.TrimSpace(suffix)
		}
		return action, detail, style
	}
	var attrs []string
	for _, k := range slices.Sorted(maps.Keys(e.Attributes)) {
		switch k {
		case events.AttrName:
		case events.AttrContainer: // a network's connect and disconnect
			attrs = append(attrs, k+"="+shortID(e.Attributes[k]))
		default:
			attrs = append(attrs, k+"="+e.Attributes[k])
		}
	}
	return action, strings.Join(attrs, " "), &st.Faint
}

// eventObject names the event's actor: its name, else its short ID.
func eventObject(e events.Event) string {
	if n := strings.TrimPrefix(e.Name, "/"); n != "" {
		return n
	}
	if n := e.Attributes[events.AttrName]; n != "" {
		return n
	}
	return shortID(e.ID)
}

// waitEventsCmd blocks for the next event, then takes every one that
// has arrived too (up to eventsBatchMax).
func waitEventsCmd(gen int, s *eventStream) tea.Cmd {
	return func() tea.Msg {
		batch, done := s.nextBatch()
		return eventsBatchMsg{gen: gen, stream: s, events: batch, done: done}
	}
}

// nextBatch blocks for the next event, then takes every one that has
// arrived too, up to eventsBatchMax; done says the stream has ended
// (after the events returned, if any).
func (s *eventStream) nextBatch() (batch []events.Event, done bool) {
	e, ok := <-s.ch
	if !ok {
		return nil, true
	}
	batch = []events.Event{e}
	for len(batch) < eventsBatchMax {
		select {
		case e, ok := <-s.ch:
			if !ok {
				return batch, true
			}
			batch = append(batch, e)
		default:
			return batch, false
		}
	}
	return batch, false
}

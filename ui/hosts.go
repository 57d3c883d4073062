package ui

import (
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// Several hosts: the program shows the containers and images of every
// host it was given in one list, a HOST column saying whose each row
// is, and sends every action to the host of its row. Each host has its
// own shared (alike but for the backend), which the screens opened on
// its containers keep, so logs, top, inspect, the timeline, the run
// form and the terminal panes reach that host without knowing there are
// others. One host is the current one: the header samples it, and what
// makes something new (run, pull, build, prune) goes there; the host
// key picks another. With one host nothing of this shows.

// HostBackend is one machine the program shows: the name it goes by
// (the HOST column, the header, the host menu) and the Backend that
// reaches it, local or remote.
type HostBackend struct {
	Name    string
	Backend Backend
}

// hostPickMsg makes host the current one.
type hostPickMsg struct{ host int }

// hostShareds gives each host its own copy of base, bound to its
// backend; every copy knows them all.
func hostShareds(base shared, hosts []HostBackend) []*shared {
	all := make([]*shared, len(hosts))
	for i, h := range hosts {
		sh := base
		sh.backend, sh.host, sh.hostName = h.Backend, i, h.Name
		all[i] = &sh
	}
	for _, sh := range all {
		sh.hosts = all
	}
	return all
}

// multi says the program shows several hosts.
func (sh *shared) multi() bool { return len(sh.hosts) > 1 }

// on is the shared of host h.
func (sh *shared) on(h int) *shared { return sh.hosts[h] }

// onHost is " on <host>" after a container's or a screen's name when
// there are several hosts, "" when there is one.
func (sh *shared) onHost() string {
	if !sh.multi() {
		return ""
	}
	return " on " + sh.hostName
}

// setStyles gives every host's shared the styles (the root changes them
// when the terminal reports its background).
func (sh *shared) setStyles(st styles) {
	for _, h := range sh.hosts {
		h.styles = st
	}
}

// rowKey names a row of host sh's list among the rows of every host:
// the ID alone with one host, since several hosts can hold the same
// image (and, reached twice, the same container).
func rowKey(sh *shared, id string) string {
	if !sh.multi() {
		return id
	}
	return strconv.Itoa(sh.host) + "/" + id
}

// hostsOf is the shared of some containers' hosts.
type hostsOf map[*engine.Container]*shared

// name is c's name, with its host when there are several.
func (on hostsOf) name(c *engine.Container) string {
	if sh := on[c]; sh != nil {
		return c.DisplayName() + sh.onHost()
	}
	return c.DisplayName()
}

// hostLists is the last answer of every host to one list call. Each
// host is asked on its own, so a slow or failed host never holds back
// the rows of the others.
type hostLists[T any] struct {
	lists    [][]T
	errs     []error
	answered []bool
	inFlight []bool
}

func newHostLists[T any](n int) hostLists[T] {
	return hostLists[T]{lists: make([][]T, n), errs: make([]error, n), answered: make([]bool, n), inFlight: make([]bool, n)}
}

// ask marks every host not already asked as asked, and returns them.
func (l hostLists[T]) ask() (hostLists[T], []int) {
	var hosts []int
	for h, busy := range l.inFlight {
		if !busy {
			l.inFlight[h] = true
			hosts = append(hosts, h)
		}
	}
	return l, hosts
}

// idle forgets the questions asked: their answers belong to an older
// generation and will be dropped.
func (l hostLists[T]) idle() hostLists[T] {
	for h := range l.inFlight {
		l.inFlight[h] = false
	}
	return l
}

// answer takes host h's answer. A failed host of several loses its rows
// (a line says why instead); the only host keeps its last list on view
// and the status line says what failed, as before there were several.
func (l hostLists[T]) answer(h int, list []T, err error) hostLists[T] {
	l.inFlight[h], l.answered[h], l.errs[h] = false, true, err
	if err == nil || len(l.lists) > 1 {
		l.lists[h] = list
	}
	return l
}

// merged is every host's rows in host order, and the host of each.
func (l hostLists[T]) merged() ([]T, []int) {
	var all []T
	var hosts []int
	for h, list := range l.lists {
		all = append(all, list...)
		for range list {
			hosts = append(hosts, h)
		}
	}
	return all, hosts
}

// hostNote is a line under a list about a host that shows no rows for
// want of an answer.
type hostNote struct {
	host string
	err  error // nil: not answered yet
}

// notes are the hosts of several that failed or have not answered yet;
// none with one host.
func (l hostLists[T]) notes(sh *shared) []hostNote {
	if !sh.multi() {
		return nil
	}
	var out []hostNote
	for h := range l.lists {
		if l.errs[h] != nil || !l.answered[h] {
			out = append(out, hostNote{host: sh.on(h).hostName, err: l.errs[h]})
		}
	}
	return out
}

// noteLines draws the notes, one line each.
func noteLines(st *styles, notes []hostNote, what string, width int) []string {
	lines := make([]string, len(notes))
	for i, n := range notes {
		if n.err != nil {
			lines[i] = fitLine(st.Error.Render(fmt.Sprintf(" ✗ %s: %s: %v", n.host, what, n.err)), width)
		} else {
			lines[i] = fitLine(st.Faint.Render(fmt.Sprintf(" … %s: waiting for its %s", n.host, what)), width)
		}
	}
	return lines
}

// hostTable puts a HOST column into a table at index at when the
// program shows several hosts; the screens keep indexing their own
// columns (sort, click) without it.
type hostTable struct {
	sh *shared
	at int
}

// columns are cols with HOST among them; in a table total wide that
// cannot hold HOST as well, the widest column gives up what it takes.
func (t hostTable) columns(cols []column, total int) []column {
	if !t.sh.multi() {
		return cols
	}
	width := len("HOST")
	for _, h := range t.sh.hosts {
		width = max(width, min(len(h.hostName), 16))
	}
	out := append(append(append([]column(nil), cols[:t.at]...), column{Title: "HOST", Width: width}), cols[t.at:]...)
	need := len(out) - 1
	widest := 0
	for i, c := range out {
		need += c.Width
		if c.Width > out[widest].Width {
			widest = i
		}
	}
	if over := need - total; over > 0 {
		out[widest].Width = max(out[widest].Width-over, out[widest].Width/2)
	}
	return out
}

func (t hostTable) cells(cells []cell, host int) []cell {
	if !t.sh.multi() {
		return cells
	}
	return append(append(append([]cell(nil), cells[:t.at]...), plain(t.sh.on(host).hostName)), cells[t.at:]...)
}

// shown is where the screen's column i is drawn (-1 stays -1).
func (t hostTable) shown(i int) int {
	if t.sh.multi() && i >= t.at {
		return i + 1
	}
	return i
}

// own is the screen's column drawn at i; -1 for HOST.
func (t hostTable) own(i int) int {
	switch {
	case !t.sh.multi() || i < t.at:
		return i
	case i == t.at:
		return -1
	}
	return i - 1
}

// hostMenu asks which host is the current one.
func hostMenu(sh *shared, current int) dialog {
	names := make([]string, len(sh.hosts))
	for i, h := range sh.hosts {
		names[i] = h.hostName
	}
	return menuDialog(&sh.keys, "Current host: new containers, pulls and builds go there", names, current, func(name string) tea.Cmd {
		for i, n := range names {
			if n == name {
				return func() tea.Msg { return hostPickMsg{host: i} }
			}
		}
		return nil
	})
}

// pickHost makes host h the current one: the header samples it and the
// lists create there.
func (m model) pickHost(h int) (tea.Model, tea.Cmd) {
	if h == m.current {
		return m, nil
	}
	m.current = h
	cur := m.cur()
	m.containers.sh, m.images.sh = cur, cur
	m.hostPrev, m.hostCPU, m.hostLoaded, m.hostAsked = nil, nil, false, true
	m.setInfo("current host: " + cur.hostName + " (new containers, pulls and builds go there)")
	if m.events.stream != nil { // the events screen shows the current host's
		m.gen++
		var cmd tea.Cmd
		m.events, cmd = m.events.open(cur, m.gen)
		return m, tea.Batch(hostCmd(cur), cmd)
	}
	return m, hostCmd(cur)
}

// cur is the current host's shared.
func (m model) cur() *shared { return m.sh.on(m.current) }

package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/compose"
	"berth/engine"
)

// A compose project's log: the logs screen (logs.go) on every container
// of a project, or of one service, interleaved and each line prefixed
// with the container's service and replica ("web-1 | "), coloured per
// service, as `docker compose logs` prints them. It opens with the last
// lines of each container merged in time order, then follows each one
// that runs; on every refresh it lists the project again and follows
// the containers that started since (a restart, an up that recreated
// them), each from its last line on. Older lines are not read on
// demand, as they are for one container. The marked containers' log
// (markedlogs.go) is the same screen over a chosen set of containers,
// each prefixed with its name.

// Messages of a project's log.
type (
	// projectBacklogMsg is the opening read: the project's containers
	// and their last lines, oldest first.
	projectBacklogMsg struct {
		gen        int
		stream     *logStream
		containers []*engine.Container
		entries    []sourcedEntry
		err        error
	}
	// projectListMsg is a refresh's list of the project's containers.
	projectListMsg struct {
		gen        int
		stream     *logStream
		containers []*engine.Container
		err        error
	}
)

// sourcedEntry is a log entry and the ID of the container that wrote it.
type sourcedEntry struct {
	id string
	engine.LogEntry
}

// logProject is what a project's log screen shows: whose containers,
// and each one's place in the log.
type logProject struct {
	ctx    context.Context // the stream's: ends with it
	loaded bool            // the opening read is in
	// members picks the log's containers from a list of the host's,
	// oldest first; label is a container's prefix and the key its
	// colour is chosen by (containers of one key share a colour). Both
	// run in commands: they read only what they were made with.
	members func(list []*engine.Container) []*engine.Container
	label   func(c *engine.Container) (prefix, colourKey string)
	sources map[string]*logSource // by container ID
	colours map[string]int        // each colour key's index into styles.Services
	width   int                   // the widest prefix
}

// logSource is one container of a project's log.
type logSource struct {
	prefix    string // service-number, as docker compose prefixes
	colour    int
	last      time.Time // of its last line shown
	following bool      // a follower reads it now
}

// newProjectLogsModel is the logs screen of g's containers.
func newProjectLogsModel(sh *shared, gen int, g *composeGroup) logsModel {
	if g.pod != nil {
		return newPodLogsModel(sh, gen, g)
	}
	m := newLogsModel(sh, gen, &engine.Container{})
	m.name = g.title()
	project, service := g.project, g.service
	m.project = &logProject{
		members: func(list []*engine.Container) []*engine.Container {
			return projectMembers(list, project, service)
		},
		label: func(c *engine.Container) (string, string) {
			_, svc, _ := composeProject(c)
			return compose.NameInProject(project, c), svc
		},
	}
	return m
}

// startProject reads the opening lines of every container of the
// project; s ends when ctx does.
func (m logsModel) startProject(ctx context.Context, s *logStream, opts engine.LogsOptions) (logsModel, tea.Cmd) {
	s.done = ctx.Done()
	m.dropped = false
	p := *m.project
	p.ctx, p.loaded = ctx, false
	p.sources, p.colours, p.width = map[string]*logSource{}, map[string]int{}, 0
	m.project = &p
	opts.Follow = false
	return m, projectBacklogCmd(ctx, m.sh, m.gen, s, p.members, opts)
}

// resumeProject lists the project again, to follow what started.
func (m logsModel) resumeProject() (logsModel, tea.Cmd) {
	if m.stream == nil || !m.project.loaded {
		return m, nil
	}
	return m, projectListCmd(m.sh, m.gen, m.stream, m.project.members)
}

// updateProject takes a project's own messages.
func (m logsModel) updateProject(msg tea.Msg) (logsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case projectBacklogMsg:
		if msg.gen != m.gen || msg.stream != m.stream {
			return m, nil
		}
		if msg.err != nil {
			m.ended = true
			return m, statusCmd(fmt.Errorf("logs of %s: %w", m.name, msg.err))
		}
		m.addSources(msg.containers)
		lines := make([]logLine, len(msg.entries))
		for i, e := range msg.entries {
			src := m.project.sources[e.id]
			lines[i] = logEntry{LogEntry: e.LogEntry, from: src}.line()
			src.last = e.Time
		}
		if m.stream.filter != nil {
			lines = m.stream.filter.feed(lines, nil)
		}
		m = m.append(lines)
		m.project.loaded = true
		m, cmd := m.followStarted(msg.containers)
		return m, tea.Batch(cmd, waitLogsCmd(m.gen, m.stream, time.Time{}))
	case projectListMsg:
		if msg.gen != m.gen || msg.stream != m.stream || msg.err != nil {
			return m, nil // a list that failed is tried again on the next refresh
		}
		m.addSources(msg.containers)
		return m.followStarted(msg.containers)
	}
	return m, nil
}

// addSources gives every container of cs not yet in the log its prefix
// and colour.
func (m logsModel) addSources(cs []*engine.Container) {
	p := m.project
	for _, c := range cs {
		if p.sources[c.ID] != nil {
			continue
		}
		prefix, key := p.label(c)
		colour, ok := p.colours[key]
		if !ok {
			colour = len(p.colours)
			p.colours[key] = colour
		}
		p.sources[c.ID] = &logSource{prefix: prefix, colour: colour}
		p.width = max(p.width, ansi.StringWidth(prefix))
	}
}

// followStarted starts a follower on every running container of cs
// that has none, from its last line on; one with no line yet had an
// empty log when it was read (or none in the since window): all of it
// is new (since the window's start).
func (m logsModel) followStarted(cs []*engine.Container) (logsModel, tea.Cmd) {
	var cmds []tea.Cmd
	for _, c := range cs {
		src := m.project.sources[c.ID]
		if src.following || !c.State.Running() {
			continue
		}
		since := time.Time{}
		switch {
		case !src.last.IsZero():
			since = src.last.Add(time.Nanosecond)
		case m.since > 0:
			since = m.sh.now().Add(-m.since)
		}
		src.following = true
		cmds = append(cmds, followSourceCmd(m.project.ctx, m.sh, m.stream, c.ID, src, since))
	}
	m.ended = !m.project.anyFollowing()
	return m, tea.Batch(cmds...)
}

// absorbProject notes the last line of each container and the followers
// that ended.
func (m logsModel) absorbProject(msg logBatchMsg) (logsModel, tea.Cmd) {
	for _, l := range msg.lines {
		if l.from != nil {
			l.from.last = l.time
		}
	}
	var cmd tea.Cmd
	for _, e := range msg.ends {
		e.from.following = false
		if e.err != nil && !errors.Is(e.err, context.Canceled) {
			cmd = statusCmd(fmt.Errorf("logs of %s: %s: %w", m.name, e.from.prefix, e.err))
		}
	}
	m.ended = !m.project.anyFollowing()
	return m, cmd
}

func (p *logProject) anyFollowing() bool {
	for _, s := range p.sources {
		if s.following {
			return true
		}
	}
	return false
}

// sourcePrefix is a project's log line's prefix: "web-1 | ", padded to
// the widest and in the service's colour.
func (m logsModel) sourcePrefix(src *logSource) string {
	text := compose.LogPrefix(src.prefix, m.project.width+1) // Docker Compose's padding
	st := m.sh.styles.Services
	if len(st) == 0 {
		return text
	}
	return st[src.colour%len(st)].Render(text)
}

// projectMembers is the containers of project (of its service, when
// service is set) in list, oldest first.
func projectMembers(list []*engine.Container, project, service string) []*engine.Container {
	var out []*engine.Container
	for _, c := range list {
		if p, s, ok := composeProject(c); ok && p == project && (service == "" || s == service) {
			out = append(out, c)
		}
	}
	return byCreation(out)
}

// projectBacklogCmd lists the log's members and reads each container's
// last lines as opts says, merged oldest first.
func projectBacklogCmd(ctx context.Context, sh *shared, gen int, s *logStream, members func([]*engine.Container) []*engine.Container, opts engine.LogsOptions) tea.Cmd {
	return func() tea.Msg {
		list, err := sh.backend.List(ctx, engine.ListOptions{All: true, Brief: true})
		if err != nil {
			return projectBacklogMsg{gen: gen, stream: s, err: err}
		}
		cs := members(list)
		var entries []sourcedEntry
		for _, c := range cs {
			err := sh.backend.Logs(ctx, c.ID, opts, func(e engine.LogEntry) error {
				entries = append(entries, sourcedEntry{id: c.ID, LogEntry: e})
				return nil
			})
			if err != nil {
				return projectBacklogMsg{gen: gen, stream: s, err: fmt.Errorf("%s: %w", c.DisplayName(), err)}
			}
		}
		slices.SortStableFunc(entries, func(a, b sourcedEntry) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
		return projectBacklogMsg{gen: gen, stream: s, containers: cs, entries: entries}
	}
}

// projectListCmd lists the log's containers again.
func projectListCmd(sh *shared, gen int, s *logStream, members func([]*engine.Container) []*engine.Container) tea.Cmd {
	return func() tea.Msg {
		list, err := sh.backend.List(sh.ctx, engine.ListOptions{All: true, Brief: true})
		if err != nil {
			return projectListMsg{gen: gen, stream: s, err: err}
		}
		return projectListMsg{gen: gen, stream: s, containers: members(list)}
	}
}

// followSourceCmd follows one container of a project's log into s from
// since on (zero: all of it), then says it ended; it runs until the log
// ends or s is cancelled, and answers nothing itself.
func followSourceCmd(ctx context.Context, sh *shared, s *logStream, id string, src *logSource, since time.Time) tea.Cmd {
	return func() tea.Msg {
		go func() {
			opts := engine.LogsOptions{Follow: true, Tail: -1, Since: since, Stdout: true, Stderr: true}
			err := sh.backend.Logs(ctx, id, opts, func(e engine.LogEntry) error {
				select {
				case s.ch <- logEntry{LogEntry: e, from: src}:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			select {
			case s.ch <- logEntry{from: src, end: true, err: err}:
			case <-ctx.Done():
			}
		}()
		return nil
	}
}

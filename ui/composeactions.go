package ui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// fold folds the heading under the cursor, or unfolds it; on a
// container under a heading it folds that heading and moves there.
func (m containersModel) fold() containersModel {
	i := m.nav.Cursor
	if m.groupAt(i) == nil {
		depth := m.depthAt(i)
		if depth == 0 {
			return m
		}
		for i >= 0 && (m.groupAt(i) == nil || m.depthAt(i) != depth-1) {
			i--
		}
		if i < 0 {
			return m
		}
	}
	g := m.groupAt(i)
	if m.folded[g.key] {
		delete(m.folded, g.key)
	} else {
		m.folded[g.key] = true
	}
	return m.relistKeeping("compose:" + g.key)
}

// groupKey runs a project's (or service's) action from its heading:
// logs of all its containers, start, restart, stop. The inspect key
// folds, as enter opens a heading in other tree views.
func (m containersModel) groupKey(msg tea.KeyPressMsg, g *composeGroup) (containersModel, tea.Cmd) {
	k := &m.sh.keys.Containers
	sh := m.sh.on(g.host)
	what := "project " + g.project
	if g.service != "" {
		what = "service " + g.service + " of " + g.project
	}
	what += sh.onHost()
	switch {
	case matches(msg, k.Inspect):
		return m.fold(), nil
	case matches(msg, k.Logs):
		return m, openCmd(openMsg{to: stateLogs, project: g, sh: sh})
	case matches(msg, k.Start):
		cs := slices.DeleteFunc(slices.Clone(g.members), func(c *engine.Container) bool { return c.State.Running() })
		if len(cs) == 0 {
			return m, infoCmd("every container of " + what + " is running")
		}
		return m, tea.Batch(infoCmd("starting "+what+"…"), composeCmd("start "+what, "started "+what, cs, func(c *engine.Container) error {
			return sh.backend.Start(sh.ctx, c.ID)
		}))
	case matches(msg, k.Restart):
		return m, tea.Batch(infoCmd("restarting "+what+"…"), composeCmd("restart "+what, "restarted "+what, g.members, func(c *engine.Container) error {
			return sh.backend.Restart(sh.ctx, c.ID, engine.StopOptions{})
		}))
	case matches(msg, k.Stop):
		cs := slices.DeleteFunc(slices.Clone(g.members), func(c *engine.Container) bool { return !c.State.Running() })
		if len(cs) == 0 {
			return m, infoCmd("no container of " + what + " is running")
		}
		slices.Reverse(cs) // the last started stops first, as compose's dependents do
		stop := func() tea.Cmd {
			return tea.Batch(infoCmd("stopping "+what+"…"), composeCmd("stop "+what, "stopped "+what, cs, func(c *engine.Container) error {
				return sh.backend.Stop(sh.ctx, c.ID, engine.StopOptions{})
			}))
		}
		return m, dialogCmd(confirmDialog(&sh.keys, "Stop "+what+"?", namesOf(cs, nil), stop))
	case matches(msg, k.Up):
		project := "project " + g.project + sh.onHost()
		labels := g.members[len(g.members)-1].Config.Labels // the newest: the last up's files
		return m, tea.Batch(infoCmd("bringing "+project+" up…"), composeRunCmd(sh, "compose up "+project, project+" is up",
			func(progress func(string)) error { return sh.backend.ComposeUp(sh.ctx, labels, progress) }))
	case matches(msg, k.Down):
		project := "project " + g.project + sh.onHost()
		text := fmt.Sprintf("its %s and networks are removed; its volumes stay", plural(len(projectMembers(m.list, g.project, "")), "container"))
		return m, dialogCmd(confirmDialog(&sh.keys, "Take "+project+" down?", text, func() tea.Cmd {
			return tea.Batch(infoCmd("taking "+project+" down…"), composeRunCmd(sh, "compose down "+project, project+" is down",
				func(progress func(string)) error { return sh.backend.ComposeDown(sh.ctx, g.project, progress) }))
		}))
	}
	return m, nil
}

// composeProgressMsg is a line of an up's or a down's progress, for the
// status line; next waits for the line after it.
type composeProgressMsg struct {
	line string
	next tea.Cmd
}

// composeEvent is what an up or a down under way says: a line of
// progress, or its end.
type composeEvent struct {
	line string
	end  bool
	err  error
}

// composeRunCmd runs an up or a down in the background, its progress
// to the status line line by line, its end as an action's (failed names
// it, done is the status on success).
func composeRunCmd(sh *shared, failed, done string, run func(progress func(string)) error) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan composeEvent, 64)
		go func() {
			send := func(e composeEvent) {
				select {
				case ch <- e:
				case <-sh.ctx.Done():
				}
			}
			err := run(func(line string) { send(composeEvent{line: line}) })
			send(composeEvent{end: true, err: err})
		}()
		return waitComposeCmd(sh, failed, done, ch)()
	}
}

// waitComposeCmd blocks for the next event of an up or a down.
func waitComposeCmd(sh *shared, failed, done string, ch <-chan composeEvent) tea.Cmd {
	return func() tea.Msg {
		select {
		case e := <-ch:
			switch {
			case !e.end:
				return composeProgressMsg{line: e.line, next: waitComposeCmd(sh, failed, done, ch)}
			case e.err != nil:
				return actionMsg{what: failed, err: e.err}
			}
			return actionMsg{what: done}
		case <-sh.ctx.Done():
			return nil
		}
	}
}

// composeCmd runs fn on each of cs in order and stops at the first
// failure, which it names (a project's containers depend on each other:
// going on past one that failed would start or stop the rest out of
// order).
func composeCmd(failed, done string, cs []*engine.Container, fn func(*engine.Container) error) tea.Cmd {
	return func() tea.Msg {
		for _, c := range cs {
			if err := fn(c); err != nil {
				return actionMsg{what: failed, err: fmt.Errorf("%s: %w", c.DisplayName(), err)}
			}
		}
		return actionMsg{what: done}
	}
}

// composeHelp is the help of a compose project's heading: the fold key,
// and the container keys that act on the whole project there.
func composeHelp(k *keyMap) helpGroup {
	c := k.Containers
	return helpGroup{"Compose project (on its row)", []key.Binding{
		c.Fold,
		bind("logs of all services", c.Logs.Keys()...),
		bind("start the stopped", c.Start.Keys()...),
		bind("restart all", c.Restart.Keys()...),
		bind("stop all (asks)", c.Stop.Keys()...),
		c.Up, c.Down,
	}}
}

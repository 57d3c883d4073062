package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// helpModel lists every key of a screen, read from the key map that
// drives it, so help and behaviour cannot disagree.
type helpModel struct {
	sh     *shared
	of     state
	width  int
	height int
	top    int
}

// helpGroup is a heading and its bindings.
type helpGroup struct {
	title    string
	bindings []key.Binding
	below    bool // drawn under the group before it, in its column
}

func newHelpModel(sh *shared) helpModel { return helpModel{sh: sh} }

func (m helpModel) open(of state) helpModel {
	m.of, m.top = of, 0
	return m
}

func (m helpModel) setSize(w, h int) helpModel {
	m.width, m.height = w, h
	return m
}

func (m helpModel) update(msg tea.Msg) (helpModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		g := &m.sh.keys.Global
		switch {
		case matches(k, g.Down):
			m.top++
		case matches(k, g.Up):
			m.top = max(m.top-1, 0)
		case matches(k, g.Home):
			m.top = 0
		}
	}
	return m, nil
}

// groups are the bindings of screen s: its own first, then movement and
// the keys every screen has.
func (m helpModel) groups(s state) []helpGroup {
	k := &m.sh.keys
	g := k.Global
	move := helpGroup{title: "Move", bindings: []key.Binding{g.Up, g.Down, g.PageUp, g.PageDown, g.Home, g.End}}
	global := helpGroup{title: "Everywhere", bindings: []key.Binding{g.Help, g.Back, g.NextPane, g.Copy, g.Mouse, g.Host, g.Quit, g.ForceQuit}}
	c := k.Containers
	term := helpGroup{title: "Terminal pane", bindings: []key.Binding{k.Logs.ExecPane, k.Terminal.Leave, k.Terminal.Cycle, k.Terminal.Close}}
	switch s {
	case stateContainers:
		return []helpGroup{
			{title: "Open", bindings: []key.Binding{c.Logs, c.Top, c.Inspect, c.Timeline, c.Exec, c.Attach, c.ExecPane, c.AttachPane}},
			{title: "Change", bindings: []key.Binding{c.Start, c.Stop, c.Restart, c.Kill, c.Pause, c.Remove, c.Rename, c.Run}},
			podHelp(k),
			{title: "List", bindings: append([]key.Binding{g.Filter, c.Mark, c.All, bind("sort: previous/next", append(c.SortPrev.Keys(), c.SortNext.Keys()...)...), c.SortRev},
				sortKeysHelp(&c)...)},
			move, global, composeHelp(k),
		}
	case stateImages:
		i := k.Images
		return []helpGroup{{title: "Images", bindings: []key.Binding{i.Run, i.Layers, i.Pull, i.Build, i.Remove, i.Prune, g.Filter, c.SortNext, c.SortPrev, c.SortRev}},
			{title: "Build log", bindings: []key.Binding{bind("focus the log / the list", g.NextPane.Keys()...), bind("cancel or close the build", g.Back.Keys()...)}},
			move, global}
	case stateLogs:
		l := k.Logs
		return []helpGroup{{title: "Logs", bindings: []key.Binding{l.Timestamps, l.Wrap, l.Search, l.Next, l.Prev, l.Filter, l.Context, l.Regex, l.Since}}, term, move, global}
	case stateTop:
		t := k.Top
		return []helpGroup{{title: "Processes", bindings: []key.Binding{t.Signal, t.SortNext, t.SortPrev, t.SortRev}}, term, move, global}
	case stateInspect:
		i := k.Inspect
		return []helpGroup{{title: "Inspect", bindings: []key.Binding{i.Search, i.Next, i.Prev}}, move, global}
	case stateLayerFiles:
		l := k.Layers
		return []helpGroup{{title: "Layers", bindings: []key.Binding{l.Fold, l.FoldAll, l.Changes, l.Aggregate,
			bind("layers / file tree", g.NextPane.Keys()...)}}, move, global}
	case stateEvents:
		e := k.Events
		return []helpGroup{{title: "Events", bindings: []key.Binding{g.Filter, e.Type, e.Action, e.Pause, e.Timeline, e.Inspect,
			bind("clear the filters", g.Back.Keys()...)}}, move, global}
	case stateRunForm, stateBuildForm:
		verb := "run"
		if s == stateBuildForm {
			verb = "build"
		}
		return []helpGroup{{title: "Form", bindings: []key.Binding{
			bind("next field", "tab", "down"), bind("previous field", "shift+tab", "up"),
			bind(verb, "enter"), g.Back,
		}}}
	default:
		return []helpGroup{move, global}
	}
}

// short is the footer's line of help for screen s (shorthelp.go): its
// most used keys first.
func (m helpModel) short(s state, terminal bool) []key.Binding {
	k := &m.sh.keys
	g := k.Global
	if terminal {
		return []key.Binding{k.Terminal.Leave}
	}
	switch s {
	case stateContainers:
		c := k.Containers
		return []key.Binding{c.Logs, c.Top, c.Exec, c.Inspect, c.Stop, c.Restart, c.Remove, c.Run, g.Filter, g.NextPane, g.Help, g.Quit}
	case stateImages:
		i := k.Images
		return []key.Binding{i.Run, i.Layers, i.Pull, i.Build, i.Remove, i.Prune, g.Filter, g.NextPane, g.Help, g.Quit}
	case stateLogs:
		l := k.Logs
		return []key.Binding{l.Search, l.Next, l.Filter, l.Context, l.Timestamps, l.Wrap, l.Since, g.End, l.ExecPane, g.Back, g.Help}
	case stateTop:
		t := k.Top
		return []key.Binding{t.Signal, t.SortNext, t.SortRev, t.ExecPane, g.Back, g.Help}
	case stateInspect:
		i := k.Inspect
		return []key.Binding{i.Search, i.Next, g.Copy, g.Back, g.Help}
	case stateLayerFiles:
		l := k.Layers
		return []key.Binding{bind("layers/files", g.NextPane.Keys()...), l.Fold, l.Changes, l.Aggregate, l.FoldAll, g.Back, g.Help}
	case stateEvents:
		e := k.Events
		return []key.Binding{g.Filter, e.Type, e.Action, e.Pause, e.Timeline, g.NextPane, g.Help, g.Quit}
	case stateRunForm:
		return []key.Binding{bind("next field", "tab"), bind("run", "enter"), bind("cancel", "esc")}
	case stateBuildForm:
		return []key.Binding{bind("next field", "tab"), bind("build", "enter"), bind("cancel", "esc")}
	default:
		return []key.Binding{g.Back, g.Help, g.Quit}
	}
}

// view lays the groups out in columns as wide as the screen allows.
func (m helpModel) view() string {
	st := &m.sh.styles
	var lines []string
	lines = append(lines, st.Title.Render(" Keys of "+m.of.String())+st.Faint.Render("   (remap any of them in the keys file)"+helpNote(m.of)), "")
	var cols [][]string
	for _, grp := range m.groups(m.of) {
		col := []string{st.Title.Render(grp.title)}
		for _, b := range grp.bindings {
			if !b.Enabled() {
				continue
			}
			col = append(col, st.HelpKey.Render(fit(b.Help().Key, 11, false))+" "+st.HelpDesc.Render(b.Help().Desc))
		}
		if grp.below && len(cols) > 0 {
			cols[len(cols)-1] = append(append(cols[len(cols)-1], ""), col...)
			continue
		}
		cols = append(cols, col)
	}
	const colWidth = 33
	perRow := max(m.width/colWidth, 1)
	for i := 0; i < len(cols); i += perRow {
		row := cols[i:min(i+perRow, len(cols))]
		height := 0
		for _, c := range row {
			height = max(height, len(c))
		}
		for y := 0; y < height; y++ {
			var b strings.Builder
			b.WriteByte(' ')
			for _, c := range row {
				cellText := ""
				if y < len(c) {
					cellText = c[y]
				}
				b.WriteString(fit(cellText, colWidth-1, false) + " ")
			}
			lines = append(lines, b.String())
		}
		lines = append(lines, "")
	}
	top := min(m.top, max(len(lines)-m.height, 0))
	return strings.Join(lines[top:], "\n")
}

// helpNote says what a figure of screen s means, beside its title.
func helpNote(s state) string {
	if s != stateContainers {
		return ""
	}
	// CPU % is docker stats' figure, as ctop and lazydocker show it: a
	// user who knows them reads it right, and containers compare by what
	// they use whatever their limits (the top screen adds the share of
	// the container's limit).
	return " · CPU %: 100 is one core"
}

// logsPromptShort is the footer's help while the logs screen's search or
// filter prompt takes the keys.
func (m helpModel) logsPromptShort() []key.Binding {
	g := &m.sh.keys.Global
	return []key.Binding{bind("search", "enter"), m.sh.keys.Logs.Regex, bind("cancel", g.Back.Keys()...)}
}

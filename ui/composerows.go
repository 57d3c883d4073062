package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/compose"
	"berth/engine"
)

// groupAt is the heading row i shows, nil for a container's row.
func (m containersModel) groupAt(i int) *composeGroup {
	if i < 0 || i >= len(m.tree) {
		return nil
	}
	return m.tree[i].group
}

// depthAt is how deep under the compose headings row i is.
func (m containersModel) depthAt(i int) int {
	if i < 0 || i >= len(m.tree) {
		return 0
	}
	return m.tree[i].depth
}

// selectedGroup is the heading under the cursor, nil on a container.
func (m containersModel) selectedGroup() *composeGroup { return m.groupAt(m.nav.Cursor) }

// rowKeyAt names row i among the rows of every host and the headings:
// a container by keyOf, a heading by its key; "" past the end.
func (m containersModel) rowKeyAt(i int) string {
	if g := m.groupAt(i); g != nil {
		return "compose:" + g.key
	}
	if i < 0 || i >= len(m.rows) || m.rows[i] == nil {
		return ""
	}
	return m.keyOf(m.rows[i])
}

// containerRows counts the rows that are containers.
func (m containersModel) containerRows() int {
	n := 0
	for _, c := range m.rows {
		if c != nil {
			n++
		}
	}
	return n
}

// about is the info line's words on a heading: what it is, how many
// containers, where its compose file was read.
func (g *composeGroup) about() string {
	if g.pod != nil {
		return g.podAbout()
	}
	parts := []string{fmt.Sprintf("project %s: %s, %s", g.project, plural(g.services, "service"), plural(len(g.members), "container"))}
	if g.service != "" {
		parts = []string{fmt.Sprintf("service %s of project %s: %s", g.service, g.project, plural(len(g.members), "container"))}
	}
	if len(g.members) > 0 {
		if dir := g.members[0].Config.Labels[compose.LabelWorkingDir]; dir != "" {
			parts = append(parts, dir)
		}
	}
	return strings.Join(parts, " · ")
}

// headingView draws a heading row: the fold mark in the mark column,
// the host's name when there are several, the title across NAME and
// IMAGE and the health from STATUS to the end.
func (m containersModel) headingView(g *composeGroup, depth int, l tableLayout, cursor bool) string {
	st := &m.sh.styles
	mark := "▾"
	if m.folded[g.key] {
		mark = "▸"
	}
	name := treeIndent(depth) + g.title()
	if g.service != "" {
		name = treeIndent(depth) + g.service
	}
	detail := " · " + plural(g.services, "service")
	switch {
	case g.pod != nil:
		detail = " · pod"
	case g.service != "":
		detail = fmt.Sprintf(" ×%d", len(g.members))
	}
	health := healthOf(g.members).segments(st)
	if s := m.busy["compose:"+g.key]; s != "" { // a job runs on it (jobs.go)
		health = append([]cell{{Text: s + "…", Style: &st.Paused}}, health...)
	}

	widths, status := l.widths, l.at(3)
	statusX := status // the spaces between columns
	for _, w := range widths[:status] {
		statusX += w
	}
	var lead []cell
	if m.sh.multi() {
		lead = append(lead, plain(fit(m.sh.on(g.host).hostName, widths[1], false)+" "))
	}
	// The title takes NAME and IMAGE, and more when it needs it and the
	// health still fits after it.
	healthText := joinCells(health, " · ", nil)
	nameW := max(statusX-1-2-cellsWidth(lead), 0)
	nameW = max(nameW, min(ansi.StringWidth(name+detail), m.width-2-cellsWidth(lead)-1-ansi.StringWidth(healthText)))
	healthW := max(m.width-2-cellsWidth(lead)-nameW-1, 0)
	if cursor {
		text := []string{mark, " "}
		for _, c := range lead {
			text = append(text, c.Text)
		}
		text = append(text, fit(name+detail, nameW, false), " ", fit(healthText, healthW, false))
		return st.Cursor.Render(strings.Join(text, ""))
	}
	var b strings.Builder
	b.WriteString(st.Title.Render(mark) + " ")
	for _, c := range lead {
		b.WriteString(c.Text)
	}
	b.WriteString(fit(st.Title.Render(name)+st.Faint.Render(detail), nameW, false))
	b.WriteByte(' ')
	b.WriteString(fit(joinCells(health, " · ", &st.Faint), healthW, false))
	return b.String()
}

// joinCells joins cells' text with sep, each in its style when sepStyle
// is given (sep then in sepStyle), plain when it is nil.
func joinCells(cells []cell, sep string, sepStyle *lipgloss.Style) string {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = c.Text
		if sepStyle != nil && c.Style != nil {
			parts[i] = c.Style.Render(c.Text)
		}
	}
	if sepStyle != nil {
		sep = sepStyle.Render(sep)
	}
	return strings.Join(parts, sep)
}

// cellsWidth is the width of cells' text side by side.
func cellsWidth(cells []cell) int {
	n := 0
	for _, c := range cells {
		n += ansi.StringWidth(c.Text)
	}
	return n
}

// plural is "1 service", "2 services".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// shortName is how a container under a compose heading is named: its
// service and replica ("web-1"), the heading saying the project, when
// its name is the one compose gave it (project-service-N, or
// docker-compose 1's project_service_N); a name the compose file chose
// (container_name) is shown whole. Under a pod's heading, a container
// is named by its name in the pod.
func shortName(c *engine.Container) string {
	project, _, ok := composeProject(c)
	if !ok {
		return podContainerName(c) // under a pod's heading
	}
	return compose.NameInProject(project, c)
}

package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine"
)

type inspectMsg struct {
	gen  int
	json string
	err  error
}

// inspectModel is a container's inspect JSON, pretty-printed, scrollable
// and searchable.
type inspectModel struct {
	sh     *shared
	gen    int
	ref    string
	name   string
	width  int
	height int

	text  string
	lines []string
	err   error
	top   int

	search    textField
	searching bool
	query     string
	match     int
}

func newInspectModel(sh *shared, gen int, c *engine.Container) inspectModel {
	in := newTextInput()
	in.Prompt = "search: "
	return inspectModel{sh: sh, gen: gen, ref: c.ID, name: c.DisplayName(), search: newTextField(in), match: -1}
}

func (m inspectModel) init() tea.Cmd {
	sh, gen, ref := m.sh, m.gen, m.ref
	return func() tea.Msg {
		c, err := sh.backend.Inspect(sh.ctx, ref)
		if err != nil {
			return inspectMsg{gen: gen, err: err}
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(c)
		return inspectMsg{gen: gen, json: strings.TrimSuffix(b.String(), "\n"), err: err}
	}
}

func (m inspectModel) setSize(w, h int) inspectModel {
	m.width, m.height = w, h
	m.search.SetWidth(max(w-12, 10))
	return m
}

func (m inspectModel) capturing() bool { return m.searching }

func (m inspectModel) rows() int { return max(m.height-1, 1) }

func (m inspectModel) update(msg tea.Msg) (inspectModel, tea.Cmd) {
	switch msg := msg.(type) {
	case inspectMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			m.err = msg.err
			return m, statusCmd(fmt.Errorf("inspect %s: %w", m.name, msg.err))
		}
		m.text, m.lines = msg.json, strings.Split(msg.json, "\n")
		return m, nil
	case tea.KeyPressMsg:
		if m.searching {
			return m.updateSearch(msg)
		}
		return m.key(msg)
	}
	if m.searching {
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m inspectModel) updateSearch(msg tea.KeyPressMsg) (inspectModel, tea.Cmd) {
	switch {
	case matches(msg, m.sh.keys.Global.Back):
		m.searching = false
		m.search.Blur()
		return m, nil
	case msg.String() == "enter":
		m.searching = false
		m.search.Blur()
		m.query, m.match = m.search.Value(), m.top-1
		return m.findNext(true), nil
	}
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	return m, cmd
}

func (m inspectModel) key(msg tea.KeyPressMsg) (inspectModel, tea.Cmd) {
	k, g := &m.sh.keys.Inspect, &m.sh.keys.Global
	switch {
	case matches(msg, g.Up):
		m = m.scroll(-1)
	case matches(msg, g.Down):
		m = m.scroll(1)
	case matches(msg, g.PageUp):
		m = m.scroll(-m.rows())
	case matches(msg, g.PageDown):
		m = m.scroll(m.rows())
	case matches(msg, g.Home):
		m.top = 0
	case matches(msg, g.End):
		m = m.scroll(len(m.lines))
	case matches(msg, k.Search):
		m.searching = true
		m.search.SetValue(m.query)
		return m, m.search.Focus()
	case matches(msg, k.Next):
		return m.findNext(true), nil
	case matches(msg, k.Prev):
		return m.findNext(false), nil
	}
	return m, nil
}

func (m inspectModel) scroll(d int) inspectModel {
	m.top = min(max(m.top+d, 0), max(len(m.lines)-m.rows(), 0))
	return m
}

// findNext moves to the next (previous) line containing the query and
// brings it to the middle of the screen.
func (m inspectModel) findNext(forward bool) inspectModel {
	if m.query == "" || len(m.lines) == 0 {
		return m
	}
	q := strings.ToLower(m.query)
	n := len(m.lines)
	for i := 1; i <= n; i++ {
		j := m.match - i
		if forward {
			j = m.match + i
		}
		j = ((j % n) + n) % n
		if strings.Contains(strings.ToLower(m.lines[j]), q) {
			m.match = j
			m.top = min(max(j-m.rows()/2, 0), max(len(m.lines)-m.rows(), 0))
			return m
		}
	}
	m.match = -1
	return m
}

func (m inspectModel) copyText() (string, string) {
	return m.text, "the inspect JSON of " + m.name
}

func (m inspectModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	if m.searching {
		b.WriteString(" " + m.search.View())
	} else {
		info := " " + m.name + " · " + m.position()
		if m.query != "" {
			info += " · search “" + m.query + "”"
			if m.match < 0 {
				info += " (no match)"
			}
		}
		b.WriteString(st.Faint.Render(info))
	}
	if m.lines == nil && m.err == nil {
		b.WriteString("\n" + st.Faint.Render(" loading…"))
	}
	end := min(m.top+m.rows(), len(m.lines))
	for i := m.top; i < end; i++ {
		line := m.lines[i]
		if m.query != "" && strings.Contains(strings.ToLower(line), strings.ToLower(m.query)) {
			hl := &st.Match
			if i == m.match {
				hl = &st.CurrentMatch
			}
			line = highlight(line, m.query, hl.Render)
		} else {
			line = colorJSONLine(st, line)
		}
		b.WriteString("\n " + ansi.Truncate(line, max(m.width-1, 1), "…"))
	}
	return b.String()
}

// position is how far down the JSON the view is: top, end or a percentage
// (not a line count, which changes whenever the engine adds a field).
func (m inspectModel) position() string {
	last := max(len(m.lines)-m.rows(), 0)
	switch {
	case m.top == 0:
		return "top"
	case m.top >= last:
		return "end"
	}
	return fmt.Sprintf("%d%%", m.top*100/last)
}

// colorJSONLine colours one line of indented JSON: the key, and a string,
// number or literal value.
func colorJSONLine(st *styles, line string) string {
	body := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(body)]
	key := ""
	if strings.HasPrefix(body, `"`) {
		if i := strings.Index(body, `": `); i > 0 {
			key, body = body[:i+1], body[i+1:]
		} else if strings.HasSuffix(body, `":`) {
			key, body = body[:len(body)-1], body[len(body)-1:]
		}
	}
	out := indent
	if key != "" {
		out += st.JSONKey.Render(key)
		rest := strings.TrimPrefix(body, ": ")
		if len(rest) != len(body) {
			out += ": "
		}
		body = rest
	}
	value := strings.TrimSuffix(body, ",")
	comma := body[len(value):]
	switch {
	case strings.HasPrefix(value, `"`):
		value = st.JSONString.Render(value)
	case value == "true" || value == "false" || value == "null" || (value != "" && (value[0] == '-' || (value[0] >= '0' && value[0] <= '9'))):
		value = st.JSONNumber.Render(value)
	}
	return out + value + comma
}

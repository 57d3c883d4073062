package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// The footer's line of help lists a screen's most used keys (help.go's
// short, in order of use) as many as fit the width; the key of the full
// help, where the screen has it, is always shown and last, so a narrow
// terminal still finds the rest.
// Each key's description is cut to its first words: "processes (top)"
// is "processes", "filter: only matching lines" is "filter".

// shortHelpView is one line of the screen's most used keys; a screen
// typing text (the logs' search prompt) shows the prompt's keys.
func (m model) shortHelpView() string {
	terminal := m.terms.focused && m.terms.onView(m.state)
	bindings := m.help.short(m.state, terminal)
	if m.state == stateLogs && m.logs.capturing() && !terminal {
		bindings = m.help.logsPromptShort()
	}
	return fitShortHelp(&m.sh.styles, bindings, m.sh.keys.Global.Help, m.width)
}

// fitShortHelp draws bindings in order while they fit width, then help
// when bindings hold it (a form or a terminal pane, which take "?" as
// text, do not).
func fitShortHelp(st *styles, bindings []key.Binding, help key.Binding, width int) string {
	sep := st.HelpDesc.Render(" • ")
	item := func(b key.Binding) string {
		return st.HelpKey.Render(keyLabel(b.Keys()[0])) + " " + st.HelpDesc.Render(shortDesc(b.Help().Desc))
	}
	var last string
	if help.Enabled() && slices.ContainsFunc(bindings, func(b key.Binding) bool { return sameKeys(b, help) }) {
		last = item(help)
	}
	used := 1 // the leading space
	if last != "" {
		used += ansi.StringWidth(last)
	}
	var parts []string
	for _, b := range bindings {
		if !b.Enabled() || sameKeys(b, help) {
			continue
		}
		s := item(b)
		w := ansi.StringWidth(s)
		if len(parts) > 0 || last != "" {
			w += ansi.StringWidth(sep)
		}
		if used+w > width {
			break
		}
		used += w
		parts = append(parts, s)
	}
	if last != "" {
		parts = append(parts, last)
	}
	return fitLine(" "+strings.Join(parts, sep), width)
}

// shortDesc is a description's first words: up to " (" or ":".
func shortDesc(desc string) string {
	if i := strings.IndexAny(desc, "(:"); i > 0 {
		return strings.TrimSpace(desc[:i])
	}
	return desc
}

// sameKeys says whether a and b are bound to the same keys.
func sameKeys(a, b key.Binding) bool {
	return strings.Join(a.Keys(), " ") == strings.Join(b.Keys(), " ")
}

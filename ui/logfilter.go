package ui

import (
	tea "charm.land/bubbletea/v2"
)

// The filter mode of the logs screen: only the lines that match (text
// or a regular expression) and n lines of context around each, as
// grep -C n, from the whole log (or the since window) read again from
// the start, then the lines that follow as they come (loggrep.go).

// logContexts are the context sizes the context key steps through.
var logContexts = []int{0, 1, 3, 5, 10}

// setFilter filters by query (none when empty) and reads the log again.
func (m logsModel) setFilter(query string) (logsModel, tea.Cmd) {
	m.filter = nil
	if query != "" {
		f, err := newLogMatcher(query, m.regex)
		if err != nil {
			return m, statusCmd(err)
		}
		m.filter = f
	}
	m.find = nil
	return m.start()
}

// nextContext shows more lines around each match (back to none after
// the most).
func (m logsModel) nextContext() (logsModel, tea.Cmd) {
	next := logContexts[0]
	for i, c := range logContexts {
		if c == m.context && i+1 < len(logContexts) {
			next = logContexts[i+1]
		}
	}
	m.context = next
	if m.filter == nil {
		return m, nil
	}
	return m.start()
}

// prompt is the search line's prompt: what it is for and how it reads
// the query.
func (m logsModel) prompt() string {
	what := "search"
	if m.filtering {
		what = "filter"
	}
	how := "text"
	if m.regex {
		how = "regex"
	}
	return what + " (" + how + ", " + m.sh.keys.Logs.Regex.Help().Key + " toggles): "
}

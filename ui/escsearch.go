package ui

import tea "charm.land/bubbletea/v2"

// Back with a search or filter in force clears it and stays on the
// screen (as less, k9s and lazydocker do); the next back leaves.

// clearSearch drops the logs screen's filter or search, reporting
// whether there was one.
func (m logsModel) clearSearch() (logsModel, tea.Cmd, bool) {
	switch {
	case m.filter != nil:
		m.search.SetValue("")
		m, cmd := m.setFilter("")
		return m, cmd, true
	case m.find != nil:
		m.search.SetValue("")
		m.find, m.match = nil, -1
		return m, nil, true
	}
	return m, nil, false
}

// clearSearch drops the inspect screen's search, reporting whether there
// was one.
func (m inspectModel) clearSearch() (inspectModel, bool) {
	if m.query == "" {
		return m, false
	}
	m.search.SetValue("")
	m.query, m.match = "", -1
	return m, true
}

// clearSearch clears the search of the screen on view, reporting whether
// there was one to clear.
func (m model) clearSearch() (model, tea.Cmd, bool) {
	switch m.state {
	case stateLogs:
		l, cmd, ok := m.logs.clearSearch()
		m.logs = l
		return m, cmd, ok
	case stateInspect:
		in, ok := m.inspect.clearSearch()
		m.inspect = in
		return m, nil, ok
	default:
		return m, nil, false
	}
}

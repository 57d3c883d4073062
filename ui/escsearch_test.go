package ui

import (
	"strings"
	"testing"
)

// esc with a search in force clears it and stays; the next esc leaves.
func TestEscClearsTheLogsSearchFirst(t *testing.T) {
	m := openLogs(t, demoBackend())
	m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: manyLines(50)})
	m = press(t, m, "/")
	m = typeText(t, m, "line 00020")
	m = press(t, m, "enter")
	if m.logs.find == nil {
		t.Fatal("no search in force")
	}
	m = press(t, m, "esc")
	if m.state != stateLogs || m.logs.find != nil || m.logs.match != -1 || m.logs.search.Value() != "" {
		t.Fatalf("esc with a search: screen %s, search %q", m.state, m.logs.search.Value())
	}
	m = press(t, m, "esc")
	if m.state != stateContainers {
		t.Errorf("the second esc left for %s", m.state)
	}
}

func TestEscClearsTheLogsFilterFirst(t *testing.T) {
	text := func(i int) string {
		if i%100 == 7 {
			return "ERROR " + numbered(i)
		}
		return numbered(i)
	}
	m, _ := openFileLogs(t, writeLog(t, 1000, text))
	m = press(t, m, "F")
	m = typeText(t, m, "error")
	m = press(t, m, "enter")
	m = await(t, m, "the filter", func(m model) bool { return m.logs.ended && m.logs.filter != nil })
	m = press(t, m, "esc")
	if m.state != stateLogs || m.logs.filter != nil {
		t.Fatalf("esc with a filter: screen %s, filter on %v", m.state, m.logs.filter != nil)
	}
	m = await(t, m, "every line again", func(m model) bool { return m.logs.ended && len(m.logs.lines) == 1000 })
	m = press(t, m, "esc")
	if m.state != stateContainers {
		t.Errorf("the second esc left for %s", m.state)
	}
}

func TestEscClearsTheInspectSearchFirst(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "G", "i", "/")
	m = typeText(t, m, "hostport")
	m = press(t, m, "enter", "esc")
	if m.state != stateInspect || m.inspect.query != "" || strings.Contains(screen(m), "hostport") {
		t.Fatalf("esc with a search: screen %s, query %q", m.state, m.inspect.query)
	}
	m = press(t, m, "esc")
	if m.state != stateContainers {
		t.Errorf("the second esc left for %s", m.state)
	}
}

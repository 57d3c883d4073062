package ui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The filter mode works on a project's interleaved log too: only the
// matching lines of every container, each with its prefix.
func TestComposeProjectLogsFilter(t *testing.T) {
	m := newTestModel(t, composeBackend())
	m = press(t, m, "j", "j", "l")
	m = await(t, m, "the project's log", func(m model) bool { return len(m.logs.lines) == 5 && m.logs.ended })
	m = press(t, m, "F")
	m = typeText(t, m, "worker|db ready")
	m = step(t, m, tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	m = press(t, m, "enter")
	m = await(t, m, "the filtered log", func(m model) bool { return m.logs.filter != nil && m.logs.project.loaded && m.logs.ended })
	var got []string
	for _, l := range m.logs.lines {
		got = append(got, l.from.prefix+" "+l.text)
	}
	want := []string{"db-1 db ready", "worker-2 worker 2 took a job"}
	if !slices.Equal(got, want) {
		t.Errorf("filtered lines\n got %q\nwant %q", got, want)
	}
	if s := screen(m); !strings.Contains(s, "worker-2   | worker 2 took a job") || !strings.Contains(s, "filter /worker|db ready/") {
		t.Errorf("screen:\n%s", s)
	}
}

package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// footer is the last line of the screen: the short help.
func footer(m model) string {
	lines := strings.Split(screen(m), "\n")
	return lines[len(lines)-1]
}

// TestShortHelpFitsAndKeepsHelp: the footer lists the screen's most used
// keys as far as the width allows, never cut in the middle, and always
// ends with ? help; the logs screen lists its filter and context keys,
// and its prompt the regex toggle.
func TestShortHelpFitsAndKeepsHelp(t *testing.T) {
	m := newTestModel(t, demoBackend())
	for _, w := range []int{40, 60, 100, 200} {
		m = step(t, m, tea.WindowSizeMsg{Width: w, Height: 30})
		f := strings.TrimSpace(footer(m))
		if !strings.HasSuffix(f, "? help") || strings.Contains(f, "…") {
			t.Errorf("at %d columns the footer is %q", w, f)
		}
	}
	if f := footer(m); !strings.Contains(f, "q quit") || !strings.Contains(f, "n run a new container") {
		t.Errorf("at 200 columns the footer lacks keys: %q", f)
	}

	m = openLogs(t, demoBackend())
	m = step(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	for _, want := range []string{"/ search", "F filter", "c context lines", "? help"} {
		if !strings.Contains(footer(m), want) {
			t.Errorf("the logs footer lacks %q: %q", want, footer(m))
		}
	}
	m = press(t, m, "F")
	for _, want := range []string{"enter search", "ctrl+r regex/text", "esc cancel"} {
		if !strings.Contains(footer(m), want) {
			t.Errorf("the logs prompt's footer lacks %q: %q", want, footer(m))
		}
	}
}

// TestShortHelpOfAFormHasNoHelpKey: a form takes ? as text, so its footer
// does not offer it.
func TestShortHelpOfAFormHasNoHelpKey(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "n")
	if m.state != stateRunForm || strings.Contains(footer(m), "? help") {
		t.Errorf("the run form (%s) offers ? help: %q", m.state, footer(m))
	}
}

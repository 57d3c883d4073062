package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// The program draws with the colours for a dark background or those for
// a light one (styles.go). Unless the user forces one (Options.Theme,
// BERTH_THEME), it starts with the dark ones, asks the terminal for its
// background (OSC 11) and switches when the answer comes; a terminal
// that never answers keeps the dark ones.

// EnvTheme is the environment variable that forces the colours:
// "light", "dark", or "auto" (ask the terminal, the default).
const EnvTheme = "BERTH_THEME"

// theme is which colours the program draws with.
type theme int

const (
	themeAuto  theme = iota // ask the terminal, dark until it answers
	themeDark               // forced: colours for a dark background
	themeLight              // forced: colours for a light background
)

func (t theme) String() string {
	switch t {
	case themeDark:
		return "dark"
	case themeLight:
		return "light"
	case themeAuto:
	}
	return "auto"
}

// parseTheme reads a theme's name; "" is auto.
func parseTheme(s string) (theme, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return themeAuto, nil
	case "dark":
		return themeDark, nil
	case "light":
		return themeLight, nil
	}
	return themeAuto, fmt.Errorf("theme %q: %w: want light, dark or auto", s, ErrBadTheme)
}

// startsDark says whether the colours before any answer of the terminal
// are the dark ones.
func (t theme) startsDark() bool { return t != themeLight }

// askBackground is the query for the terminal's background, nil when
// the theme is forced.
func (t theme) askBackground() tea.Cmd {
	if t != themeAuto {
		return nil
	}
	return tea.RequestBackgroundColor
}

// updateBackground redraws with the colours for the background the
// terminal reported, unless the user forced a theme.
func (m model) updateBackground(msg tea.BackgroundColorMsg) model {
	if m.sh.theme != themeAuto {
		return m
	}
	m.sh.setStyles(newStyles(msg.IsDark(), m.sh.noColor))
	return m
}

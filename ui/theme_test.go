package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Terminal backgrounds and default foregrounds the colours must read on:
// plain white and black, Solarized, and common editor themes.
var (
	lightTerminals = []string{"#FFFFFF", "#FDF6E3", "#EEEEEE", "#FAFAFA"}
	darkTerminals  = []string{"#000000", "#1E1E1E", "#002B36", "#282C34", "#300A24"}
	lightText      = "#303030" // the darkest-but-one default foreground of a light terminal
	darkText       = "#C0C0C0" // a dim default foreground of a dark terminal
)

// luminance is WCAG 2's relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio of a and b, from 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func isColour(c color.Color) bool {
	_, none := c.(lipgloss.NoColor)
	return c != nil && !none
}

// namedStyles is every style of st with its field's name.
func namedStyles(st styles) map[string]lipgloss.Style {
	out := map[string]lipgloss.Style{}
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		switch f := v.Field(i).Interface().(type) {
		case lipgloss.Style:
			out[v.Type().Field(i).Name] = f
		case []lipgloss.Style:
			for j, s := range f {
				out[fmt.Sprintf("%s[%d]", v.Type().Field(i).Name, j)] = s
			}
		}
	}
	return out
}

// TestColoursReadOnEveryBackground checks every colour of both themes
// against the backgrounds of its kind: text at least 4.5:1 (WCAG AA) on
// the terminal and 3:1 on the program's own backgrounds (the cursor row,
// a search match), where it keeps its colour; borders 3:1. It also
// keeps the faint attribute off coloured text, which would dim it twice.
func TestColoursReadOnEveryBackground(t *testing.T) {
	for _, dark := range []bool{false, true} {
		st := newStyles(dark, false)
		terms, text := lightTerminals, lightText
		if dark {
			terms, text = darkTerminals, darkText
		}
		var own []color.Color // backgrounds the program paints
		for _, s := range namedStyles(st) {
			if bg := s.GetBackground(); isColour(bg) {
				own = append(own, bg)
			}
		}
		for name, s := range namedStyles(st) {
			fg, bg := s.GetForeground(), s.GetBackground()
			if isColour(fg) && s.GetFaint() {
				t.Errorf("dark=%v: %s is both coloured and faint", dark, name)
			}
			if isColour(bg) {
				// Text on a painted background: its own colour or the
				// terminal's.
				if !isColour(fg) {
					fg = lipgloss.Color(text)
				}
				if r := contrast(fg, bg); r < 4.5 {
					t.Errorf("dark=%v: %s's text %v on its background %v: contrast %.1f, want 4.5", dark, name, fg, bg, r)
				}
				continue
			}
			if isColour(fg) {
				for _, term := range terms {
					if r := contrast(fg, lipgloss.Color(term)); r < 4.5 {
						t.Errorf("dark=%v: %s %v on %s: contrast %.1f, want 4.5", dark, name, fg, term, r)
					}
				}
				for _, o := range own {
					if r := contrast(fg, o); r < 3 {
						t.Errorf("dark=%v: %s %v on the program's background %v: contrast %.1f, want 3", dark, name, fg, o, r)
					}
				}
			}
			if b := s.GetBorderTopForeground(); isColour(b) {
				for _, term := range terms {
					if r := contrast(b, lipgloss.Color(term)); r < 3 {
						t.Errorf("dark=%v: %s's border %v on %s: contrast %.1f, want 3", dark, name, b, term, r)
					}
				}
			}
		}
	}
}

// TestTextInputsUseTheTerminalsColours: Bubbles' inputs draw their
// prompt in light grey, unreadable on white; the program's draw theirs in
// the terminal's own colours.
func TestTextInputsUseTheTerminalsColours(t *testing.T) {
	in := newTextInput()
	in.Prompt = "/"
	in.Focus()
	for name, s := range map[string]lipgloss.Style{
		"prompt": in.Styles().Focused.Prompt, "text": in.Styles().Focused.Text,
		"blurred prompt": in.Styles().Blurred.Prompt, "blurred text": in.Styles().Blurred.Text,
	} {
		if isColour(s.GetForeground()) {
			t.Errorf("the input's %s is drawn in %v", name, s.GetForeground())
		}
	}
	if c := in.Styles().Cursor.Color; isColour(c) {
		t.Errorf("the input's cursor is drawn in %v", c)
	}
}

func TestParseTheme(t *testing.T) {
	for in, want := range map[string]theme{"": themeAuto, "auto": themeAuto, "light": themeLight, "Dark": themeDark, " light ": themeLight} {
		got, err := parseTheme(in)
		if err != nil || got != want {
			t.Errorf("parseTheme(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseTheme("solarized"); !errors.Is(err, ErrBadTheme) {
		t.Errorf("parseTheme(solarized) = %v, want ErrBadTheme", err)
	}
	if _, err := newModel(context.Background(), oneHost(demoBackend()), Options{Theme: "blue"}); !errors.Is(err, ErrBadTheme) {
		t.Errorf("a program forced to theme blue started: %v", err)
	}
}

var (
	whiteBackground = tea.BackgroundColorMsg{Color: lipgloss.Color("#FFFFFF")}
	blackBackground = tea.BackgroundColorMsg{Color: lipgloss.Color("#000000")}
)

// drawnWith says whether the view draws text in the foreground colour
// of style s (as a 24-bit SGR parameter).
func drawnWith(m model, s lipgloss.Style) bool {
	r, g, b, _ := s.GetForeground().RGBA()
	return strings.Contains(m.View().Content, fmt.Sprintf("38;2;%d;%d;%d", r>>8, g>>8, b>>8))
}

// TestTerminalBackgroundPicksColours: the program asks the terminal for
// its background and draws with the dark colours until it answers; a
// light answer switches every screen to the light ones, a dark one back.
func TestTerminalBackgroundPicksColours(t *testing.T) {
	light, dark := newStyles(false, false), newStyles(true, false)
	m := newTestModelWith(t, demoBackend(), Options{})
	if m.sh.theme.askBackground() == nil {
		t.Fatal("the program does not ask the terminal for its background")
	}
	if !drawnWith(m, dark.Running) || drawnWith(m, light.Running) {
		t.Fatal("before the terminal answers, running containers are not drawn in the dark colours")
	}
	m = step(t, m, whiteBackground)
	if !drawnWith(m, light.Running) || drawnWith(m, dark.Running) {
		t.Error("on a white background, running containers are not drawn in the light colours")
	}
	m = press(t, m, "l")
	if !drawnWith(m, light.Timestamp) {
		t.Error("on a white background, the logs screen is not drawn in the light colours")
	}
	m = step(t, m, blackBackground)
	if !drawnWith(m, dark.Timestamp) || drawnWith(m, light.Timestamp) {
		t.Error("on a black background, the logs screen is not drawn in the dark colours")
	}
}

// TestForcedThemeIgnoresTheTerminal: with BERTH_THEME the program does
// not ask the terminal, and an answer (from a terminal that reports
// unasked) changes nothing.
func TestForcedThemeIgnoresTheTerminal(t *testing.T) {
	light, dark := newStyles(false, false), newStyles(true, false)
	m := newTestModelWith(t, demoBackend(), Options{Theme: "light"})
	if m.sh.theme.askBackground() != nil {
		t.Error("a program forced to light asks the terminal for its background")
	}
	m = step(t, m, blackBackground)
	if !drawnWith(m, light.Running) || drawnWith(m, dark.Running) {
		t.Error("a program forced to light draws in the dark colours")
	}
	m = newTestModelWith(t, demoBackend(), Options{Theme: "dark"})
	m = step(t, m, whiteBackground)
	if !drawnWith(m, dark.Running) || drawnWith(m, light.Running) {
		t.Error("a program forced to dark draws in the light colours")
	}
}

// goldenColours is golden with the colours kept: the file holds the
// view's escape sequences as the terminal gets them (cat shows it as
// drawn), so a colour that changes fails as a changed word does.
func goldenColours(t *testing.T, name string, m model) {
	t.Helper()
	got := m.View().Content
	if plain := ansi.Strip(got); len(strings.Split(plain, "\n")) != 30 {
		t.Errorf("%s: view has %d lines, want 30", name, len(strings.Split(plain, "\n")))
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -run %s -update to create it)", err, t.Name())
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Errorf("%s: line %d differs from %s (go test ./ui -run %s -update rewrites it)\n got %q\nwant %q", name, i+1, path, t.Name(), g, w)
			return
		}
	}
}

// TestContainersScreenColours draws the containers screen on a light and
// a dark terminal, colours and all.
func TestContainersScreenColours(t *testing.T) {
	for name, bg := range map[string]tea.BackgroundColorMsg{"containers_light": whiteBackground, "containers_dark": blackBackground} {
		t.Run(name, func(t *testing.T) {
			b := demoBackend()
			m := newTestModelWith(t, b, Options{})
			m = step(t, m, bg)
			advance(b, 250*time.Millisecond)
			m = step(t, m, tickMsg{})
			m = press(t, m, "down", "space")
			goldenColours(t, name, m)
			golden(t, "containers_marked", m)
		})
	}
}

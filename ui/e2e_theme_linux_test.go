package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// TestEndToEndLightTerminalAndDetachKeys runs the program in a tmux whose
// panes are white (tmux answers the background query, OSC 11, from its
// window-style) with berth's detach-keys setting at ctrl-x,x: the
// program draws with the light colours, its attach names ctrl-x x,
// passes ctrl-p ctrl-q to the shell and detaches on ctrl-x x; with BERTH_THEME=dark it draws the dark colours on the
// same white.
func TestEndToEndLightTerminalAndDetachKeys(t *testing.T) {
	b := newBerthBinary(t)
	b.addSetting("detach-keys", "ctrl-x,x")
	b.must(nil, "run", "-d", "-it", "--name", "shell", "busybox", "sh")
	conf := filepath.Join(t.TempDir(), "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g window-style bg=white\nset -g window-active-style bg=white\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	up := func(scr string) bool { return regexp.MustCompile(`shell .* Up `).MatchString(scr) }
	light, dark := newStyles(false, false), newStyles(true, false)

	s := b.startTUIWith([]string{"COLORTERM=truecolor"}, conf)
	s.waitFor("shell up", up)
	s.waitColour("the light colours", sgrOf(light.Title))
	if strings.Contains(s.captureColours(), sgrOf(dark.Title)) {
		t.Error("a white terminal got the dark colours too")
	}
	s.send("a")
	s.waitText("attached to shell · ctrl-x x detaches")
	s.send("C-p", "C-q") // docker's keys are the shell's now
	s.sendText("echo still-$((6*7))")
	s.send("Enter")
	s.waitText("still-42")
	s.send("C-x", "x")
	s.waitText("back from the attach of shell")
	if got := strings.TrimSpace(b.must(nil, "inspect", "-f", "{{.State.Status}}", "shell")); got != "running" {
		t.Fatalf("after detaching, shell is %q", got)
	}

	forced := b.startTUIWith([]string{"COLORTERM=truecolor", EnvTheme + "=dark"}, conf)
	forced.waitFor("shell up", up)
	forced.waitColour("the dark colours", sgrOf(dark.Title))
	if strings.Contains(forced.captureColours(), sgrOf(light.Title)) {
		t.Error("BERTH_THEME=dark drew the light colours")
	}
}

// addSetting adds key to the settings file the binary runs with.
func (b *berthBinary) addSetting(key, value string) {
	b.t.Helper()
	path := b.args[len(b.args)-1] // --config is the last flag
	data, err := os.ReadFile(path)
	if err != nil {
		b.t.Fatal(err)
	}
	settings := map[string]any{}
	if err := json.Unmarshal(data, &settings); err != nil {
		b.t.Fatal(err)
	}
	settings[key] = value
	if data, err = json.Marshal(settings); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// captureColours is the screen with its colours as SGR sequences.
func (s *tmuxSession) captureColours() string {
	out, _ := s.tmux("capture-pane", "-p", "-e", "-t", "ui")
	return out
}

// waitColour waits until the screen draws with the SGR parameters sgr.
func (s *tmuxSession) waitColour(what, sgr string) {
	s.t.Helper()
	s.waitFor(what, func(string) bool { return strings.Contains(s.captureColours(), sgr) })
}

// sgrOf is the 24-bit SGR parameters of style st's foreground.
func sgrOf(st lipgloss.Style) string {
	r, g, b, _ := st.GetForeground().RGBA()
	return fmt.Sprintf("38;2;%d;%d;%d", r>>8, g>>8, b>>8)
}

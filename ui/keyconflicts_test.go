package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func keysFileWith(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A rebinding that takes a key another binding has on the same screen
// (or everywhere) is refused when the file is loaded: the message names
// the file, both bindings and the key, and the binding keeps its default.
func TestKeysFileConflictsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string // in the message
		logs, stop []string // the keys they end with
	}{
		{name: "stop's key", file: `{"containers.logs": "x"}`,
			want: []string{`containers.logs ["x"] refused`, `"x" is containers.stop's key on the containers screen`, "containers.logs keeps l"},
			logs: []string{"l"}, stop: []string{"x"}},
		{name: "a global key", file: `{"containers.logs": ["L", "q"]}`,
			want: []string{`"q" is global.quit's key`},
			logs: []string{"l"}, stop: []string{"x"}},
		{name: "a swap", file: `{"containers.logs": "x", "containers.stop": "l"}`,
			logs: []string{"x"}, stop: []string{"l"}},
		{name: "another screen's key", file: `{"containers.logs": "w"}`, // logs.wrap: not on the containers screen
			logs: []string{"w"}, stop: []string{"x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := keysFileWith(t, tc.file)
			km, refused, err := loadKeys(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := km.Containers.Logs.Keys(); !slices.Equal(got, tc.logs) {
				t.Errorf("logs bound to %q, want %q", got, tc.logs)
			}
			if got := km.Containers.Stop.Keys(); !slices.Equal(got, tc.stop) {
				t.Errorf("stop bound to %q, want %q", got, tc.stop)
			}
			if len(tc.want) == 0 {
				if len(refused) != 0 {
					t.Errorf("refused: %v", refused)
				}
				return
			}
			if len(refused) != 1 || !errors.Is(refused[0], ErrKeyConflict) {
				t.Fatalf("refused: %v", refused)
			}
			msg := refused[0].Error()
			for _, w := range append(tc.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

// The program starts with the refusal on its status line, and stop
// stays reachable.
func TestKeysFileConflictOnTheStatusLine(t *testing.T) {
	b := demoBackend()
	path := keysFileWith(t, `{"containers.logs": "x"}`)
	m, err := newModel(context.Background(), oneHost(b), Options{KeysFile: path, Now: func() time.Time { return testNow }, Interval: time.Hour, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 160, Height: 30})
	m = settle(t, m, m.Init())
	m = await(t, m, "the first list", func(m model) bool { return m.containers.loaded && m.hostLoaded })
	if !strings.Contains(screen(m), "containers.logs") {
		t.Errorf("no refusal on the status line:\n%s", screen(m))
	}
	m = press(t, m, "G", "x")
	if m.dialog != nil {
		m = press(t, m, "y")
	}
	if got := b.callLog(); m.state != stateContainers || len(got) != 1 || !strings.HasPrefix(got[0], "stop ") {
		t.Errorf("x does not stop: screen %s, calls %q", m.state, got)
	}
}

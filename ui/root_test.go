package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// advance moves every stats sample and the host one second on, with the
// given CPU time used in it.
func advance(b *fakeBackend, used time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.stats {
		s.Time = s.Time.Add(time.Second)
		s.CPUUsage += used
	}
	b.host.CPUBusy += 50
	b.host.CPUTotal += 200
}

func TestContainersScreen(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	advance(b, 250*time.Millisecond)
	b.mu.Lock()
	b.stats[id('a')].NetRx += 1500
	b.stats[id('a')].NetTx += 250
	b.mu.Unlock()
	m = step(t, m, tickMsg{})
	golden(t, "containers", m)
	s := screen(m)
	for _, want := range []string{"Up 5 minutes", "Exited (137) 2 minutes ago", "(Paused)", "25.0", "12MiB / 2GiB", "0.0.0.0:8080", "CONTAINERS 3/4", "CPU  25.0%"} {
		if !strings.Contains(s, want) {
			t.Errorf("containers screen lacks %q", want)
		}
	}
	// web moved 1500 bytes in and 250 out in the second; ticker nothing;
	// sleepy is on the host's network, which is not its own to count.
	for name, want := range map[string]string{"web": "1.5k/s 250B/s", "ticker": "0/s 0/s", "sleepy": "-"} {
		if got := netCell(t, m, name); got != want {
			t.Errorf("NET RX/TX of %s = %q, want %q", name, got, want)
		}
	}
	m = press(t, m, ">", ">", ">", ">", ">", ">", ">")
	if m.containers.sortBy != 9 || m.containers.rows[0].DisplayName() != "web" {
		t.Errorf("sorted by column %d, the busiest network first is %s", m.containers.sortBy, m.containers.rows[0].DisplayName())
	}
}

// netCell is the NET RX/TX cell of the named container's row.
func netCell(t *testing.T, m model, name string) string {
	t.Helper()
	for _, c := range m.containers.rows {
		if c.DisplayName() == name {
			return m.containers.cells(c, testNow)[9].Text
		}
	}
	t.Fatalf("no row %s", name)
	return ""
}

func TestContainersRunningOnlyAndSort(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "v")
	if strings.Contains(screen(m), "old_job") {
		t.Error("running-only view shows an exited container")
	}
	m = press(t, m, "v", ">", ">")
	if m.containers.sortBy != 3 {
		t.Fatalf("sort column %d, want STATUS (3)", m.containers.sortBy)
	}
	// By state: running ones first, the exited one last.
	if last := m.containers.rows[len(m.containers.rows)-1]; last.DisplayName() != "old_job" {
		t.Errorf("last row by status is %s, want old_job", last.DisplayName())
	}
	m = press(t, m, "-")
	if first := m.containers.rows[0]; first.DisplayName() != "old_job" {
		t.Errorf("first row reversed is %s, want old_job", first.DisplayName())
	}
}

func TestContainersFilter(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "/")
	m = typeText(t, m, "tick")
	if len(m.containers.rows) != 1 || m.containers.rows[0].DisplayName() != "ticker" {
		t.Fatalf("filter rows = %v", namesOf(m.containers.rows, nil))
	}
	// q is text while filtering, not quit.
	m = typeText(t, m, "q")
	if !m.capturing() {
		t.Fatal("filter lost the keyboard")
	}
	m = press(t, m, "backspace", "enter")
	golden(t, "containers_filter", m)
	m = press(t, m, "esc")
	if len(m.containers.rows) != 4 {
		t.Errorf("esc did not clear the filter: %d rows", len(m.containers.rows))
	}
}

func TestContainersActions(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	// Rows by name: old_job, sleepy, ticker, web.
	m = press(t, m, "s")      // start old_job
	m = press(t, m, "j", "p") // sleepy is paused: unpause
	m = press(t, m, "j", "r") // restart ticker
	m = press(t, m, "j", "K") // kill menu on web
	golden(t, "kill_menu", m)
	m = press(t, m, "j", "enter") // SIGKILL
	m = press(t, m, "R")
	m = typeText(t, m, "2")
	m = press(t, m, "enter")
	want := []string{"start " + id('c'), "unpause " + id('d'), "stop " + id('b'), "start " + id('b'), "kill " + id('a') + " SIGKILL", "rename " + id('a') + " web2"}
	if got := b.callLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(screen(m), "renamed web to web2") {
		t.Error("no status line after rename")
	}
}

func TestContainersBulkStopAndRemove(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "space", "space") // marks sleepy and ticker
	m = press(t, m, "x")
	golden(t, "bulk_stop_confirm", m)
	m = press(t, m, "y")
	m = press(t, m, "d")
	if !strings.Contains(screen(m), "Remove 2 containers?") {
		t.Fatal("no remove confirmation")
	}
	m = press(t, m, "n")
	m = press(t, m, "esc", "d", "y") // marks cleared: removes the one under the cursor (web)
	want := []string{"stop " + id('d'), "stop " + id('b'), "remove " + id('a') + " force=true"}
	if got := b.callLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
}

func TestErrorsGoToTheStatusLine(t *testing.T) {
	b := demoBackend()
	b.fail = engine.ErrNotImplemented
	m := newTestModel(t, b)
	m = press(t, m, "s")
	if !strings.Contains(screen(m), "✗ start old_job: not implemented") {
		t.Errorf("status line:\n%s", screen(m))
	}
}

func TestGlobalKeys(t *testing.T) {
	m := newTestModel(t, demoBackend())
	if _, cmd := m.Update(keyMsg("q")); cmd == nil || cmd() != tea.Quit() {
		t.Error("q does not quit")
	}
	if _, cmd := m.Update(keyMsg("ctrl+c")); cmd == nil || cmd() != tea.Quit() {
		t.Error("ctrl+c does not quit")
	}
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Error("mouse capture is not on at start")
	}
	m = press(t, m, "m")
	if m.View().MouseMode != tea.MouseModeNone {
		t.Error("m does not release the mouse")
	}
	m = press(t, m, "tab")
	if m.state != stateImages {
		t.Errorf("tab went to %s", m.state)
	}
	m = press(t, m, "tab")
	if m.state != stateEvents {
		t.Errorf("tab went to %s", m.state)
	}
	m = press(t, m, "tab")
	if m.state != stateContainers {
		t.Errorf("tab went to %s", m.state)
	}
	_, cmd := m.Update(keyMsg("y"))
	msg := cmd()
	if c, ok := msg.(clipboardMsg); !ok || c.text != id('c') {
		t.Errorf("y gave %#v, want the ID of old_job", msg)
	}
}

func TestHelpComesFromTheKeyMap(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "?")
	golden(t, "help_containers", m)
	m = press(t, m, "esc")
	if m.state != stateContainers {
		t.Fatalf("esc from help went to %s", m.state)
	}
}

func TestRemappedKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, []byte(`{"containers.logs": "L", "global.down": ["j", "down", "ctrl+n"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := newModel(t.Context(), oneHost(demoBackend()), Options{KeysFile: path, Now: func() time.Time { return testNow }, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	m = press(t, m, "l")
	if m.state != stateContainers {
		t.Fatal("l still opens logs after remapping")
	}
	m = step(t, m, tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl})
	m = press(t, m, "L")
	if m.state != stateLogs || m.logs.name != "sleepy" {
		t.Fatalf("L opened %s of %q", m.state, m.logs.name)
	}
	m = press(t, m, "?")
	if !strings.Contains(screen(m), "ctrl+n") {
		t.Error("help does not show the remapped key")
	}
}

func TestKeysFile(t *testing.T) {
	for _, tc := range []struct {
		name, file, err string
	}{
		{"one key", `{"containers.logs": "L"}`, ""},
		{"list", `{"global.quit": ["q", "Q"]}`, ""},
		{"unbind", `{"containers.remove": []}`, ""},
		{"case-insensitive name", `{"Containers.Logs": "L"}`, ""},
		{"unknown", `{"containers.nope": "x"}`, "unknown key binding"},
		{"bad value", `{"containers.logs": 3}`, "bad keys"},
		{"not json", `{`, "parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := defaultKeys()
			err := k.apply([]byte(tc.file))
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("apply(%s) = %v, want %q", tc.file, err, tc.err)
			}
		})
	}
}

func TestNoForbiddenBindings(t *testing.T) {
	k := defaultKeys()
	for name, b := range k.bindings() {
		for _, key := range b.Keys() {
			if key == "ctrl+a" || key == "ctrl+d" || key == "ctrl+k" {
				t.Errorf("%s is bound to %s, which clashes with tmux, shells and vim", name, key)
			}
		}
	}
}

func TestStaleMessagesAreDropped(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "j", "j", "t") // top of web
	oldGen := m.top.gen
	m = press(t, m, "esc", "j", "t") // top of the next row... back to web
	m = press(t, m, "esc", "k", "t") // top of ticker
	if m.top.gen == oldGen {
		t.Fatal("reopening top kept its generation")
	}
	m = step(t, m, topMsg{gen: oldGen, at: testNow, procs: []engine.Process{{HostPID: 999, Command: "stale"}}})
	if strings.Contains(screen(m), "stale") {
		t.Error("a message of a closed screen was drawn")
	}
}

func TestMouse(t *testing.T) {
	m := newTestModel(t, demoBackend())
	// Body starts at y=2; its info line, the column header, then rows.
	m = step(t, m, tea.MouseClickMsg{X: 5, Y: 2 + 2 + 2, Button: tea.MouseLeft})
	if c := m.containers.selected(); c == nil || c.DisplayName() != "ticker" {
		t.Errorf("click selected %v", c)
	}
	m = step(t, m, tea.MouseClickMsg{X: 20, Y: 2 + 1, Button: tea.MouseLeft}) // IMAGE header
	if m.containers.sortBy != 2 {
		t.Errorf("click on a header sorted by %d", m.containers.sortBy)
	}
	m = step(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.containers.nav.Cursor != 0 {
		t.Errorf("wheel up left the cursor at %d", m.containers.nav.Cursor)
	}
	m = step(t, m, tea.MouseClickMsg{X: 14, Y: 1, Button: tea.MouseLeft})
	if m.state != stateImages {
		t.Errorf("click on the Images tab went to %s", m.state)
	}
}

func TestLightAndDarkStyles(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m.sh.noColor = false
	m = step(t, m, tea.BackgroundColorMsg{Color: nil})
	dark := m.sh.styles.Running.GetForeground()
	light := newStyles(false, false).Running.GetForeground()
	if dark == light {
		t.Error("light and dark terminals get the same colours")
	}
	if newStyles(true, true).Running.GetForeground() != newStyles(false, true).Running.GetForeground() {
		t.Error("NO_COLOR still picks colours by background")
	}
}

func TestHumanFormats(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "Less than a second"}, {time.Second, "1 second"}, {59 * time.Second, "59 seconds"},
		{time.Minute, "About a minute"}, {5 * time.Minute, "5 minutes"}, {time.Hour, "About an hour"},
		{5 * time.Hour, "5 hours"}, {72 * time.Hour, "3 days"}, {21 * 24 * time.Hour, "3 weeks"},
	} {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    uint64
		want string
	}{{0, "0B"}, {999, "999B"}, {1000, "1.00kB"}, {4_260_000, "4.26MB"}, {15_000_000_000, "15.0GB"}} {
		if got := humanBytes(tc.n); got != tc.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		perSec float64
		want   string
	}{
		{0, "0"}, {0.4, "0"}, {1, "1B"}, {999, "999B"}, {999.6, "1.0k"}, {1500, "1.5k"},
		{9_960, "10k"}, {34_000_000, "34M"}, {999_700, "1.0M"}, {2.5e9, "2.5G"},
	} {
		if got := compactBytes(tc.perSec); got != tc.want || len(got) > 4 {
			t.Errorf("compactBytes(%v) = %q, want %q", tc.perSec, got, tc.want)
		}
	}
	if got := sparkline([]float64{0, 50, 100}, 5, 100); got != "  ▁▄█" {
		t.Errorf("sparkline = %q", got)
	}
}

func TestRefreshCost(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	b.mu.Lock()
	for i := range 40 {
		c := *b.containers[0]
		c.ID, c.Name = fmt.Sprintf("%064x", i), fmt.Sprintf("/zz%02d", i)
		b.containers = append(b.containers, &c)
		b.stats[c.ID] = &engine.Stats{Time: testNow}
	}
	b.statsCalls = 0
	b.mu.Unlock()
	m = step(t, m, tickMsg{}) // reload 2: rows on screen only
	if b.statsCalls > m.bodyHeight() {
		t.Errorf("a refresh read %d stats for %d rows on screen", b.statsCalls, m.bodyHeight()-2)
	}
	// Off the containers screen, the list still refreshes (header counts),
	// every coveredListEvery ticks, but no stats are read.
	m = press(t, m, "tab")
	b.mu.Lock()
	b.statsCalls = 0
	b.containers = b.containers[:2]
	b.mu.Unlock()
	for range coveredListEvery {
		m = step(t, m, tickMsg{})
	}
	if b.statsCalls != 0 {
		t.Errorf("the images screen read %d container stats", b.statsCalls)
	}
	if !strings.Contains(screen(m), "CONTAINERS 2/2") {
		t.Errorf("header counts did not follow the list:\n%s", screen(m))
	}
}

func TestStatusLineExpires(t *testing.T) {
	now := testNow
	m, err := newModel(t.Context(), oneHost(demoBackend()), Options{Now: func() time.Time { return now }, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = step(t, m, statusMsg{text: "hello"})
	m = step(t, m, statusMsg{err: engine.ErrNotImplemented})
	now = now.Add(infoLasts)
	m = step(t, m, tickMsg{})
	if !strings.Contains(screen(m), "not implemented") {
		t.Error("an error went as fast as news")
	}
	now = now.Add(errorLasts)
	m = step(t, m, tickMsg{})
	if strings.Contains(screen(m), "not implemented") {
		t.Error("the error never cleared")
	}
}

func TestDefaultKeyMapNamesEveryBinding(t *testing.T) {
	infos := DefaultKeyMap()
	k := defaultKeys()
	fields := 0
	groups := reflect.ValueOf(k)
	for i := 0; i < groups.NumField(); i++ {
		fields += groups.Field(i).NumField()
	}
	if len(infos) != fields {
		t.Fatalf("%d bindings have a name in a keys file, the key map has %d", len(infos), fields)
	}
	for _, in := range infos {
		if len(in.Keys) == 0 || in.Help == "" {
			t.Errorf("%s has no keys or no help", in.Name)
		}
		file := fmt.Sprintf(`{%q: "F12"}`, in.Name)
		if err := k.apply([]byte(file)); err != nil {
			t.Errorf("the keys file cannot set %s: %v", in.Name, err)
		}
	}
}

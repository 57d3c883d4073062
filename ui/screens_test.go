package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// clockModel is newTestModel with a clock the test moves.
func clockModel(t *testing.T, b *fakeBackend, now *time.Time) model {
	t.Helper()
	m, err := newModel(t.Context(), oneHost(b), Options{Now: func() time.Time { return *now }, Interval: time.Hour, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	return settle(t, m, m.Init())
}

func TestTopScreen(t *testing.T) {
	b := demoBackend()
	now := testNow
	m := clockModel(t, b, &now)
	m = press(t, m, "G", "t")
	if m.state != stateTop {
		t.Fatalf("t opened %s", m.state)
	}
	// One second later: httpd used 0.5s of CPU and read 2000 bytes, dd
	// wrote 1 MB; the cgroup used 0.6s and wrote 1 MB.
	now = now.Add(time.Second)
	b.mu.Lock()
	p := b.procs[id('a')]
	p[0].CPUTime += 500 * time.Millisecond
	p[0].ReadBytes += 2000
	p[1].WriteBytes += 1_000_000
	s := b.stats[id('a')]
	s.Time = s.Time.Add(time.Second)
	s.CPUUsage += 600 * time.Millisecond
	s.BlockWrite += 1_000_000
	s.NetRx += 1200
	s.NetTx += 300
	b.mu.Unlock()
	m = step(t, m, refreshMsg{})
	golden(t, "top", m)
	out := screen(m)
	for _, want := range []string{"50.0", "2.00kB/s", "1.00MB/s", "60.0% (60% of 1.00 cores)", "3 / 100", "w 1.00MB/s", "rx 1.20kB/s tx 300B/s", "httpd -f -p 80"} {
		if !strings.Contains(out, want) {
			t.Errorf("top lacks %q", want)
		}
	}
	// Sorted by CPU, descending: httpd first.
	if m.top.rows[0].HostPID != 4242 {
		t.Errorf("first row is pid %d", m.top.rows[0].HostPID)
	}
	m = press(t, m, "j", "K", "j", "enter")
	if got := b.callLog(); len(got) != 1 || got[0] != "signal "+id('a')+" 4250 SIGKILL" {
		t.Errorf("calls %q", got)
	}
	m = press(t, m, "<")
	if m.top.sortBy != 3 {
		t.Errorf("< sorted by %d", m.top.sortBy)
	}
	// sleepy is on the host's network: nothing of its own to count.
	m = press(t, m, "esc", "k", "k", "t")
	if m.top.name != "sleepy" || !strings.Contains(screen(m), "NET  - (network host)") {
		t.Errorf("top of %s on the host network:\n%s", m.top.name, screen(m))
	}
}

func TestImagesScreen(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "tab")
	golden(t, "images", m)
	out := screen(m)
	for _, want := range []string{"<none> (dangling)", "Layers of alpine:3", "IMAGE ID"} {
		if !strings.Contains(out, want) {
			t.Errorf("images screen lacks %q", want)
		}
	}
	m = press(t, m, "j") // busybox
	if !strings.Contains(screen(m), "import rootfs.tar") {
		t.Errorf("layers of busybox not shown:\n%s", screen(m))
	}
	m = press(t, m, "d", "j", "enter", "P", "y") // in use: force is the menu's second choice
	want := []string{"rmi busybox:latest force=true", "prune"}
	if got := b.callLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls %q, want %q", got, want)
	}
	m = press(t, m, "n")
	if m.state != stateRunForm || m.runForm.inputs[fieldImage].Value() != "busybox:latest" {
		t.Errorf("n opened %s with image %q", m.state, m.runForm.inputs[fieldImage].Value())
	}
}

func TestRunForm(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "n")
	m = typeText(t, m, "busybox")
	m = press(t, m, "tab")
	m = typeText(t, m, "demo")
	m = press(t, m, "tab")
	m = typeText(t, m, `sh -c "echo hi; sleep 9"`)
	m = press(t, m, "tab", "tab")
	m = typeText(t, m, "64m")
	golden(t, "run_form", m)
	m = press(t, m, "enter")
	if m.state != stateContainers {
		t.Errorf("after run the screen is %s", m.state)
	}
	want := `run demo busybox ["sh" "-c" "echo hi; sleep 9"] pull=missing`
	if got := b.callLog(); len(got) != 1 || got[0] != want {
		t.Errorf("calls %q, want %q", got, want)
	}
	if !strings.Contains(screen(m), "started demo") {
		t.Error("no status after run")
	}
}

func TestRunFormRejectsBadInput(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "n", "enter")
	if m.state != stateRunForm || !strings.Contains(screen(m), "image name cannot be empty") {
		t.Errorf("empty form was accepted:\n%s", screen(m))
	}
	m = press(t, m, "esc")
	if m.state != stateContainers {
		t.Errorf("esc left the form for %s", m.state)
	}
}

func TestInspectScreen(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "G", "i")
	if m.state != stateInspect {
		t.Fatalf("i opened %s", m.state)
	}
	golden(t, "inspect", m)
	m = press(t, m, "/")
	m = typeText(t, m, "hostport")
	m = press(t, m, "enter")
	if m.inspect.match < 0 || !strings.Contains(m.inspect.lines[m.inspect.match], `"HostPort"`) {
		t.Fatalf("search went to line %d", m.inspect.match)
	}
	m = press(t, m, "/")
	for range len("hostport") {
		m = press(t, m, "backspace")
	}
	m = typeText(t, m, "false")
	m = press(t, m, "enter")
	first := m.inspect.match
	m = press(t, m, "n")
	if m.inspect.match <= first {
		t.Errorf("n went from line %d to %d", first, m.inspect.match)
	}
	_, cmd := m.Update(keyMsg("y"))
	if c, ok := cmd().(clipboardMsg); !ok || !strings.Contains(c.text, `"Id": "`+id('a')) {
		t.Error("y does not copy the JSON")
	}
}

func TestTimelineScreen(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "G", "h")
	if m.state != stateTimeline {
		t.Fatalf("h opened %s", m.state)
	}
	golden(t, "timeline", m)
	out := screen(m)
	for _, want := range []string{"OOM-killed", "exited with code 137", "restart #1", "paused"} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
}

func TestTerminalPane(t *testing.T) {
	b := demoBackend()
	b.terminal = newFakeTerminal()
	m := newTestModel(t, b)
	m = press(t, m, "G", "E")
	m = await(t, m, "the pane", panes(1))
	if m.state != stateLogs || !m.terms.focused || len(m.terms.panes) != 1 {
		t.Fatalf("E: state %s, focused %v, panes %d", m.state, m.terms.focused, len(m.terms.panes))
	}
	b.terminal.out <- []byte("/ # ")
	m = settleLate(t, m)
	m = typeText(t, m, "ls")
	m = press(t, m, "enter")
	waitFor(t, func() bool { return b.terminal.input() == "ls\r" })
	b.terminal.out <- []byte("ls\r\nbin  etc  proc\r\n/ # ")
	m = settleLate(t, m)
	golden(t, "terminal_pane", m)
	if !strings.Contains(screen(m), "bin  etc  proc") {
		t.Errorf("pane does not show the output:\n%s", screen(m))
	}
	// ctrl+] gives the keyboard back: t toggles timestamps again.
	m = press(t, m, "ctrl+]", "t")
	if !m.logs.timestamps {
		t.Error("keys did not go back to the logs")
	}
	// A second pane from the top screen; ] switches, X closes.
	second := newFakeTerminal()
	b.terminal = second
	m = press(t, m, "esc", "t", "E")
	m = await(t, m, "the second pane", panes(2))
	if m.state != stateTop || len(m.terms.panes) != 2 || m.terms.active != 1 {
		t.Fatalf("E on top: state %s, %d panes, active %d", m.state, len(m.terms.panes), m.terms.active)
	}
	m = press(t, m, "ctrl+]", "]")
	if m.terms.active != 0 {
		t.Errorf("] made pane %d active", m.terms.active)
	}
	m = press(t, m, "X")
	m = settleLate(t, m)
	if len(m.terms.panes) != 1 || m.terms.current().term != second {
		t.Fatal("X did not close the pane on view")
	}
	if strings.Contains(screen(m), "✗") {
		t.Errorf("closing a pane reported an error:\n%s", screen(m))
	}
	second.Close()
	m = settleLate(t, m)
	if m.terms.hasPanes() {
		t.Error("the pane stayed after its session ended")
	}
}

func TestHandoff(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "e")
	if got := b.callLog(); len(got) != 1 || got[0] != "handoff "+id('c')+" shell" {
		t.Errorf("calls %q", got)
	}
	m = step(t, m, handoffDoneMsg{name: "web", kind: SessionAttach})
	if !strings.Contains(screen(m), "back from the attach of web") {
		t.Error("no status after the handoff")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for range 100 {
		if ok() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition never held")
}

// TestEveryScreenFitsTheWindow draws every screen at several sizes: each
// view is exactly the window, never a line too long or too many.
func TestEveryScreenFitsTheWindow(t *testing.T) {
	b := demoBackend()
	screens := []struct {
		name string
		keys []string
	}{
		{"containers", nil},
		{"images", []string{"tab"}},
		{"logs", []string{"G", "l"}},
		{"logs with a pane", []string{"G", "E"}},
		{"top", []string{"G", "t"}},
		{"inspect", []string{"G", "i"}},
		{"timeline", []string{"G", "h"}},
		{"run form", []string{"n"}},
		{"build form", []string{"tab", "B"}},
		{"images with a build", []string{"tab", "B", "enter"}},
		{"help", []string{"?"}},
		{"dialog", []string{"G", "K"}},
	}
	for _, size := range [][2]int{{60, 20}, {80, 24}, {100, 30}, {160, 50}} {
		for _, sc := range screens {
			b.terminal = newFakeTerminal()
			m := newTestModel(t, b)
			m = step(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = press(t, m, sc.keys...)
			if sc.name == "logs with a pane" {
				m = await(t, m, "a pane to measure", panes(1))
			}
			lines := strings.Split(screen(m), "\n")
			if len(lines) != size[1] {
				t.Errorf("%s at %dx%d: %d lines", sc.name, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", sc.name, size[0], size[1], i, w, l)
					break
				}
			}
			m.terms.closeAll()
		}
	}
}

func TestCtrlCGoesToAFocusedPane(t *testing.T) {
	b := demoBackend()
	b.terminal = newFakeTerminal()
	m := newTestModel(t, b)
	m = press(t, m, "G", "E")
	m = await(t, m, "the pane", panes(1))
	if _, cmd := m.Update(keyMsg("ctrl+c")); cmd != nil {
		if msg := cmd(); msg == tea.Quit() {
			t.Fatal("ctrl+c in a focused pane quit berth")
		}
	}
	waitFor(t, func() bool { return b.terminal.input() == "\x03" })
	m = press(t, m, "ctrl+]")
	if _, cmd := m.Update(keyMsg("ctrl+c")); cmd == nil || cmd() != tea.Quit() {
		t.Error("ctrl+c outside the pane does not quit")
	}
	m.terms.closeAll()
}

func TestImagesPull(t *testing.T) {
	b := demoBackend()
	b.pullGate = make(chan struct{})
	m := newTestModel(t, b)
	m = press(t, m, "tab", "p")
	m = typeText(t, m, "nginx:1")
	m = press(t, m, "enter")
	m = settleLate(t, m)
	golden(t, "images_pull", m)
	if !strings.Contains(screen(m), "1.50MB/3.00MB") || !strings.Contains(screen(m), "1/2 layers done") {
		t.Errorf("no pull progress:\n%s", screen(m))
	}
	close(b.pullGate)
	m = settleLate(t, m)
	if m.images.pull != nil || !strings.Contains(screen(m), "pulled nginx:1") {
		t.Errorf("pull did not finish:\n%s", screen(m))
	}
	// esc cancels a pull under way.
	b.pullGate = make(chan struct{})
	m = press(t, m, "p")
	m = typeText(t, m, "redis")
	m = press(t, m, "enter", "esc")
	if m.images.pull != nil || !strings.Contains(screen(m), "pull of redis cancelled") {
		t.Errorf("esc did not cancel the pull:\n%s", screen(m))
	}
}

// panes is await's test for n open panes.
func panes(n int) func(model) bool {
	return func(m model) bool { return len(m.terms.panes) == n }
}

func TestTopBesideAPane(t *testing.T) {
	b := demoBackend()
	b.terminal = newFakeTerminal()
	m := newTestModel(t, b)
	m = press(t, m, "G", "t", "E")
	m = await(t, m, "the pane", panes(1))
	if !m.terms.hasPanes() || m.top.width >= topNarrow {
		t.Fatalf("no narrow top beside a pane: width %d", m.top.width)
	}
	golden(t, "top_pane", m)
	if !strings.Contains(screen(m), "httpd -f") {
		t.Errorf("the command column is gone beside the pane:\n%s", screen(m))
	}
	m = press(t, m, "ctrl+]", ">")
	if m.top.sortBy != 5 {
		t.Errorf("> beside a pane sorted by column %d, want RSS (5)", m.top.sortBy)
	}
	m.terms.closeAll()
}

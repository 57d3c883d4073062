package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// gatedBackend is the fake whose calls named in gates wait for their
// gate to close: actions still running when the user quits.
type gatedBackend struct {
	*fakeBackend
	gates map[string]chan struct{} // by call: "start", "kill", "rmi", "compose down", …
}

func newGatedBackend(b *fakeBackend, calls ...string) *gatedBackend {
	g := &gatedBackend{fakeBackend: b, gates: map[string]chan struct{}{}}
	for _, c := range calls {
		g.gates[c] = make(chan struct{})
	}
	return g
}

// open lets every waiting call go.
func (b *gatedBackend) open() {
	for _, g := range b.gates {
		close(g)
	}
}

func (b *gatedBackend) wait(ctx context.Context, call string) error {
	select {
	case <-b.gates[call]: // a nil gate is never closed: calls not gated skip this
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (b *gatedBackend) gated(ctx context.Context, call string) error {
	if b.gates[call] == nil {
		return nil
	}
	return b.wait(ctx, call)
}

func (b *gatedBackend) Start(ctx context.Context, ref string) error {
	if err := b.gated(ctx, "start"); err != nil {
		return err
	}
	return b.fakeBackend.Start(ctx, ref)
}

func (b *gatedBackend) Stop(ctx context.Context, ref string, o engine.StopOptions) error {
	if err := b.gated(ctx, "stop"); err != nil {
		return err
	}
	return b.fakeBackend.Stop(ctx, ref, o)
}

func (b *gatedBackend) Restart(ctx context.Context, ref string, o engine.StopOptions) error {
	if err := b.gated(ctx, "restart"); err != nil {
		return err
	}
	return b.fakeBackend.Restart(ctx, ref, o)
}

func (b *gatedBackend) Kill(ctx context.Context, ref, sig string) error {
	if err := b.gated(ctx, "kill"); err != nil {
		return err
	}
	return b.fakeBackend.Kill(ctx, ref, sig)
}

// handingBackend is a gatedBackend that can hand actions over; it
// records the CLI it is asked to start.
type handingBackend struct {
	*gatedBackend
	mu  sync.Mutex
	cli []string
}

func (b *handingBackend) Handover(args []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cli = append(b.cli, strings.Join(args, " "))
	return nil
}

func (b *handingBackend) handedOver() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.cli...)
}

// quitNow presses q and says whether the program quit at once.
func quitNow(t *testing.T, m model) (model, bool) {
	t.Helper()
	next, cmd := m.Update(keyMsg("q"))
	msg, _ := runCmd(t, cmd)
	if msg == (tea.QuitMsg{}) {
		return next.(model), true
	}
	return settle(t, next.(model), func() tea.Msg { return msg }), false
}

func TestQuitHandsARestartWhoseStopIsDoneOnlyItsStart(t *testing.T) {
	g := newGatedBackend(demoBackend(), "start")
	defer g.open()
	b := &handingBackend{gatedBackend: g}
	m := newTestModel(t, b)
	m = press(t, m, "G", "r") // web: its stop ends, its start waits
	if row := actionRowOf(screen(m), "web"); !strings.Contains(row, "Restarting…") {
		t.Fatalf("web's row while it restarts: %q", row)
	}
	if _, quit := quitNow(t, m); !quit {
		t.Fatalf("q did not quit:\n%s", screen(m))
	}
	if got, want := b.handedOver(), "start "+id('a'); len(got) != 1 || got[0] != want {
		t.Errorf("handed over %q, want %q (a restart would restart web twice)", got, want)
	}
}

func TestQuitHandsARestartInItsStopTheRestart(t *testing.T) {
	g := newGatedBackend(demoBackend(), "stop")
	defer g.open()
	b := &handingBackend{gatedBackend: g}
	m := newTestModel(t, b)
	now := testNow
	m.sh.now = func() time.Time { return now }
	m = press(t, m, "G", "r")
	now = now.Add(4 * time.Second)
	if _, quit := quitNow(t, m); !quit {
		t.Fatalf("q did not quit:\n%s", screen(m))
	}
	if got, want := b.handedOver(), "restart -t 6 "+id('a'); len(got) != 1 || got[0] != want {
		t.Errorf("handed over %q, want %q", got, want)
	}
}

// A kill still running may not have sent its signal: SIGKILL is sent
// again (the container cannot outlive it), any other signal makes the
// quit ask, since a second one may mean more than the first.
func TestQuitHandsAPendingSIGKILLAndAsksForAnotherSignal(t *testing.T) {
	g := newGatedBackend(demoBackend(), "kill")
	defer g.open()
	b := &handingBackend{gatedBackend: g}
	m := newTestModel(t, b)
	m = press(t, m, "G", "K", "j", "enter") // SIGKILL to web
	if _, quit := quitNow(t, m); !quit {
		t.Fatalf("q with a SIGKILL running did not quit:\n%s", screen(m))
	}
	if got, want := b.handedOver(), "kill -s KILL "+id('a'); len(got) != 1 || got[0] != want {
		t.Errorf("handed over %q, want %q", got, want)
	}

	m = newTestModel(t, &handingBackend{gatedBackend: g})
	m = press(t, m, "G", "K", "enter") // SIGTERM to web
	m, quit := quitNow(t, m)
	if quit || !strings.Contains(screen(m), "Quit and abandon what is running?") {
		t.Fatalf("q with a SIGTERM running did not ask:\n%s", screen(m))
	}
}

func (b *gatedBackend) ComposeUp(ctx context.Context, labels map[string]string, progress func(string)) error {
	if err := b.gated(ctx, "compose up"); err != nil {
		return err
	}
	return b.fakeBackend.ComposeUp(ctx, labels, progress)
}

func (b *gatedBackend) ComposeDown(ctx context.Context, project string, progress func(string)) error {
	if err := b.gated(ctx, "compose down"); err != nil {
		return err
	}
	return b.fakeBackend.ComposeDown(ctx, project, progress)
}

func (b *gatedBackend) RemoveImage(ctx context.Context, ref string, force bool) error {
	if err := b.gated(ctx, "rmi"); err != nil {
		return err
	}
	return b.fakeBackend.RemoveImage(ctx, ref, force)
}

func (b *gatedBackend) PruneImages(ctx context.Context) (int, uint64, error) {
	if err := b.gated(ctx, "prune"); err != nil {
		return 0, 0, err
	}
	return b.fakeBackend.PruneImages(ctx)
}

// headingOf is the screen's line of the heading of project.
func headingOf(screen, project string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "▾ "+project+" ") {
			return l
		}
	}
	return ""
}

// TestComposeJobsShowAndAreHandedOver runs each action of a project's
// heading on a backend where it waits, and quits: the heading says what
// is happening meanwhile, the status line counts it, and the quit hands
// it to berth's CLI.
func TestComposeJobsShowAndAreHandedOver(t *testing.T) {
	tests := []struct {
		name  string
		gate  string
		keys  []string
		state string
		cli   string
	}{
		{"stop", "stop", []string{"x", "y"}, "Stopping…", "compose -p shop --project-directory /srv/shop stop"},
		{"start", "start", []string{"s"}, "Starting…", "compose -p shop --project-directory /srv/shop start"},
		{"down", "compose down", []string{"D", "y"}, "Removing…", "compose -p shop --project-directory /srv/shop down --remove-orphans"},
		{"up", "compose up", []string{"U"}, "Starting…",
			"compose -p shop --project-directory /srv/shop -f /srv/shop/compose.yaml up -d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGatedBackend(composeBackend(), tt.gate)
			defer g.open()
			b := &handingBackend{gatedBackend: g}
			m := newTestModel(t, b)
			now := testNow
			m.sh.now = func() time.Time { return now }
			m = press(t, m, "j", "j") // shop
			m = press(t, m, tt.keys...)
			if h := headingOf(screen(m), "shop"); !strings.Contains(h, tt.state) {
				t.Errorf("shop's heading while it runs: %q", h)
			}
			now = now.Add(2 * time.Second)
			m = step(t, m, tickMsg{})
			if got := screen(m); !strings.Contains(got, strings.ToLower(strings.TrimSuffix(tt.state, "…"))+" project shop… 2s") {
				t.Errorf("no progress on the status line:\n%s", got)
			}
			if _, quit := quitNow(t, m); !quit {
				t.Fatalf("q did not quit:\n%s", screen(m))
			}
			if got := b.handedOver(); len(got) != 1 || got[0] != tt.cli {
				t.Errorf("handed over %q, want %q", got, tt.cli)
			}
		})
	}
}

// TestQuitAsksForAProjectRestartAndHandsOverOnlyAfterTheYes: a
// project's restart cannot be done again (the containers already
// restarted would restart twice), so the quit asks; the stop running
// beside it is handed over only when the user says yes.
func TestQuitAsksForAProjectRestartAndHandsOverOnlyAfterTheYes(t *testing.T) {
	g := newGatedBackend(composeBackend(), "stop", "restart")
	defer g.open()
	b := &handingBackend{gatedBackend: g}
	m := newTestModel(t, b)
	m = press(t, m, "G", "x") // web, the last row: its stop waits
	m = press(t, m, "g", "j", "j", "r")
	if h := headingOf(screen(m), "shop"); !strings.Contains(h, "Restarting…") {
		t.Errorf("shop's heading while it restarts: %q", h)
	}
	m, quit := quitNow(t, m)
	if quit || !strings.Contains(screen(m), "Quit and abandon what is running?") || !strings.Contains(screen(m), "would restart again") {
		t.Fatalf("q with a project restarting did not ask why:\n%s", screen(m))
	}
	if got := b.handedOver(); len(got) != 0 {
		t.Errorf("handed over %q before the user said yes", got)
	}
	next, cmd := m.Update(keyMsg("y"))
	msg, _ := runCmd(t, cmd)
	next, cmd = next.Update(msg)
	if msg, _ := runCmd(t, cmd); msg != (tea.QuitMsg{}) {
		t.Fatalf("yes answered %#v, want a quit", msg)
	}
	if got, want := b.handedOver(), "stop -t 10 "+id('a'); len(got) != 1 || got[0] != want {
		t.Errorf("after the yes handed over %q, want %q", got, want)
	}
}

func TestImageJobsShowAndAreHandedOver(t *testing.T) {
	tests := []struct {
		name string
		gate string
		keys []string
		cli  string
	}{
		{"remove", "rmi", []string{"G", "d", "y"}, "rmi sha256:" + id('2')},
		{"remove by force", "rmi", []string{"g", "d", "j", "enter"}, "rmi -f alpine:3"},
		{"prune", "prune", []string{"P", "y"}, "image prune -f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGatedBackend(demoBackend(), tt.gate)
			defer g.open()
			b := &handingBackend{gatedBackend: g}
			m := newTestModel(t, b)
			m = press(t, m, "tab")
			m = await(t, m, "the images", func(m model) bool { return len(m.images.rows) == 3 })
			m = press(t, m, tt.keys...)
			if !strings.Contains(screen(m), "Removing…") {
				t.Errorf("no row says Removing…:\n%s", screen(m))
			}
			if _, quit := quitNow(t, m); !quit {
				t.Fatalf("q did not quit:\n%s", screen(m))
			}
			if got := b.handedOver(); len(got) != 1 || got[0] != tt.cli {
				t.Errorf("handed over %q, want %q", got, tt.cli)
			}
		})
	}
}

// TestQuitHandsAPullOverAndAsksForABuild: a pull is pulled again by
// berth's CLI; a build cannot be resumed, so the quit asks.
func TestQuitHandsAPullOverAndAsksForABuild(t *testing.T) {
	f := demoBackend()
	f.pullGate = make(chan struct{})
	defer close(f.pullGate)
	b := &handingBackend{gatedBackend: newGatedBackend(f)}
	m := newTestModel(t, b)
	m = press(t, m, "tab", "p")
	m = typeText(t, m, "nginx:1")
	m = press(t, m, "enter", "tab") // on to the containers: the pull goes on
	if !strings.Contains(screen(m), "pulling nginx:1… 0s") {
		t.Errorf("the containers screen does not say a pull is under way:\n%s", screen(m))
	}
	if _, quit := quitNow(t, m); !quit {
		t.Fatalf("q did not quit:\n%s", screen(m))
	}
	if got := b.handedOver(); len(got) != 1 || got[0] != "pull nginx:1" {
		t.Errorf("handed over %q, want the pull", got)
	}

	f = demoBackend()
	f.buildGate = make(chan struct{})
	defer close(f.buildGate)
	b = &handingBackend{gatedBackend: newGatedBackend(f)}
	m = newTestModel(t, b)
	m = press(t, m, "tab", "B")
	m = typeText(t, m, "app:1")
	m = press(t, m, "enter")
	m, quit := quitNow(t, m)
	if quit || !strings.Contains(screen(m), "Quit and abandon what is running?") || !strings.Contains(screen(m), "build app:1") {
		t.Fatalf("q with a build running did not ask:\n%s", screen(m))
	}
}

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

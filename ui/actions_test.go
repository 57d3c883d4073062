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

// slowStopBackend is the fake whose stops wait for gate (a container
// that ignores SIGTERM), and which records the CLI it is asked to hand
// actions to when handover is set.
type slowStopBackend struct {
	*fakeBackend
	gate chan struct{}
	mu   sync.Mutex
	cli  [][]string
}

func (b *slowStopBackend) Stop(ctx context.Context, ref string, o engine.StopOptions) error {
	select {
	case <-b.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.fakeBackend.Stop(ctx, ref, o)
}

// handoverBackend is a slowStopBackend that can hand actions over.
type handoverBackend struct{ *slowStopBackend }

func (b handoverBackend) Handover(args []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cli = append(b.cli, args)
	return nil
}

func TestMarkedContainersTakeEveryAction(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	// Rows by name: old_job, sleepy, ticker, web; mark sleepy and ticker.
	m = press(t, m, "j", "space", "space")
	m = press(t, m, "s", "r", "p", "K", "enter")
	calls := b.callLog()
	want := []string{
		"start " + id('d'), "start " + id('b'),
		"stop " + id('d'), "stop " + id('b'), "start " + id('d'), "start " + id('b'), // restart: a stop, then a start
		"unpause " + id('d'), "pause " + id('b'),
		"kill " + id('d') + " SIGTERM", "kill " + id('b') + " SIGTERM",
	}
	if strings.Join(calls, "|") != strings.Join(want, "|") {
		t.Errorf("calls\n got %q\nwant %q", calls, want)
	}
	if got := screen(m); !strings.Contains(got, "sent SIGTERM to sleepy, ticker") {
		t.Errorf("no status line for the kill:\n%s", got)
	}
}

func TestRowSaysStoppingUntilTheStopEnds(t *testing.T) {
	b := &slowStopBackend{fakeBackend: demoBackend(), gate: make(chan struct{})}
	m := newTestModel(t, b)
	now := testNow
	m.sh.now = func() time.Time { return now }
	m = press(t, m, "G", "x") // web
	row := actionRowOf(screen(m), "web")
	if !strings.Contains(row, "Stopping…") {
		t.Errorf("web's row while it stops: %q", row)
	}
	now = now.Add(8 * time.Second)
	m = step(t, m, tickMsg{})
	if got := screen(m); !strings.Contains(got, "stopping web… 8s") {
		t.Errorf("the progress went before the stop ended:\n%s", got)
	}
	close(b.gate)
	m = await(t, m, "the stop's end", func(m model) bool { return !m.actions.running() })
	got := screen(m)
	if strings.Contains(got, "Stopping…") || !strings.Contains(got, "stopped web") {
		t.Errorf("after the stop:\n%s", got)
	}
}

func TestQuitHandsARunningStopToTheCLI(t *testing.T) {
	slow := &slowStopBackend{fakeBackend: demoBackend(), gate: make(chan struct{})}
	defer close(slow.gate)
	b := handoverBackend{slow}
	m := newTestModel(t, b)
	now := testNow
	m.sh.now = func() time.Time { return now }
	m = press(t, m, "G", "x")
	now = now.Add(3 * time.Second)
	_, cmd := m.Update(keyMsg("q"))
	if msg, _ := runCmd(t, cmd); msg != (tea.QuitMsg{}) {
		t.Errorf("q answered %#v, want a quit", msg)
	}
	slow.mu.Lock()
	defer slow.mu.Unlock()
	want := "stop -t 7 " + id('a')
	if len(slow.cli) != 1 || strings.Join(slow.cli[0], " ") != want {
		t.Errorf("handed over %q, want %q", slow.cli, want)
	}
}

func TestQuitAsksWhenARunningActionCannotBeHandedOver(t *testing.T) {
	b := &slowStopBackend{fakeBackend: demoBackend(), gate: make(chan struct{})}
	defer close(b.gate)
	m := newTestModel(t, b)
	m = press(t, m, "G", "x", "q")
	if got := screen(m); !strings.Contains(got, "Quit and abandon what is running?") {
		t.Fatalf("q with a stop running did not ask:\n%s", got)
	}
}

// actionRowOf is the screen's line that shows name.
func actionRowOf(screen, name string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	return ""
}

package ui

import (
	"context"
	"strings"
	"testing"

	"berth/engine"
)

// slowRunBackend is the fake whose runs wait for gate.
type slowRunBackend struct {
	*fakeBackend
	gate chan struct{}
}

func (b *slowRunBackend) Run(ctx context.Context, opts engine.CreateOptions, pull string) (*engine.Container, error) {
	select {
	case <-b.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.fakeBackend.Run(ctx, opts, pull)
}

// TestAnAbandonedRunDoesNotCloseANewerForm leaves a run form while its
// container starts and opens another: the first run's end says so on
// the status line and leaves the new form, and what is typed there, open.
func TestAnAbandonedRunDoesNotCloseANewerForm(t *testing.T) {
	b := &slowRunBackend{fakeBackend: demoBackend(), gate: make(chan struct{})}
	m := newTestModel(t, b)
	m = press(t, m, "n")
	m = typeText(t, m, "busybox")
	m = press(t, m, "tab")
	m = typeText(t, m, "first")
	m = press(t, m, "enter", "esc")
	if m.state != stateContainers {
		t.Fatalf("esc left the screen on %s", m.state)
	}
	m = press(t, m, "n")
	m = typeText(t, m, "alpine")
	close(b.gate)
	m = await(t, m, "the first run's end", func(m model) bool { return strings.Contains(screen(m), "started first") })
	if m.state != stateRunForm || !strings.Contains(screen(m), "alpine") {
		t.Fatalf("the first run's end closed the second form:\n%s", screen(m))
	}
}

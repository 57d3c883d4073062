package host

import (
	"testing"
	"time"

	"berth/engine"
)

// testNow is the clock of the status tests.
var testNow = time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)

func TestStatusText(t *testing.T) {
	now := testNow
	tests := []struct {
		state engine.State
		want  string
	}{
		{engine.State{Status: "running", StartedAt: now.Add(-5 * time.Minute)}, "Up 5 minutes"},
		{engine.State{Status: "running", StartedAt: now.Add(-500 * time.Millisecond)}, "Up Less than a second"},
		{engine.State{Status: "running", StartedAt: now.Add(-1 * time.Second)}, "Up 1 second"},
		{engine.State{Status: "running", StartedAt: now.Add(-90 * time.Second)}, "Up About a minute"},
		{engine.State{Status: "running", StartedAt: now.Add(-61 * time.Minute)}, "Up About an hour"},
		{engine.State{Status: "running", StartedAt: now.Add(-3 * time.Hour)}, "Up 3 hours"},
		{engine.State{Status: "running", StartedAt: now.Add(-72 * time.Hour)}, "Up 3 days"},
		{engine.State{Status: "paused", StartedAt: now.Add(-3 * time.Second)}, "Up 3 seconds (Paused)"},
		{engine.State{Status: "exited", ExitCode: 0, StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-2 * time.Minute)}, "Exited (0) 2 minutes ago"},
		{engine.State{Status: "exited", ExitCode: 137, StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-15 * 24 * time.Hour)}, "Exited (137) 2 weeks ago"},
		{engine.State{Status: "exited"}, "Created"},
		{engine.State{Status: "restarting", ExitCode: 1, FinishedAt: now.Add(-3 * time.Second)}, "Restarting (1) 3 seconds ago"},
		{engine.State{Status: "created"}, "Created"},
		{engine.State{Status: "dead"}, "Dead"},
		{engine.State{Status: "removing"}, "Removal In Progress"},
	}
	for _, tt := range tests {
		if got := StatusText(&tt.state, now); got != tt.want {
			t.Errorf("StatusText(%+v) = %q, want %q", tt.state, got, tt.want)
		}
	}
}

func TestStatusTextHealth(t *testing.T) {
	now := testNow
	up := now.Add(-5 * time.Second)
	tests := []struct {
		state engine.State
		want  string
	}{
		{engine.State{Status: "running", StartedAt: up, Health: &engine.Health{Status: "starting"}}, "Up 5 seconds (health: starting)"},
		{engine.State{Status: "running", StartedAt: up, Health: &engine.Health{Status: "healthy"}}, "Up 5 seconds (healthy)"},
		{engine.State{Status: "running", StartedAt: up, Health: &engine.Health{Status: "unhealthy"}}, "Up 5 seconds (unhealthy)"},
		{engine.State{Status: "paused", StartedAt: up, Health: &engine.Health{Status: "healthy"}}, "Up 5 seconds (Paused)"},
		{engine.State{Status: "exited", ExitCode: 0, StartedAt: up, FinishedAt: up, Health: &engine.Health{Status: "unhealthy"}}, "Exited (0) 5 seconds ago"},
	}
	for _, tt := range tests {
		if got := StatusText(&tt.state, now); got != tt.want {
			t.Errorf("StatusText(%+v) = %q, want %q", tt.state, got, tt.want)
		}
	}
}

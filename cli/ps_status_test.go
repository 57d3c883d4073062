package cli

import (
	"testing"
	"time"

	"berth/engine"
)

func TestContainerStatusHealth(t *testing.T) {
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
		if got := containerStatus(&tt.state, now); got != tt.want {
			t.Errorf("containerStatus(%+v) = %q, want %q", tt.state, got, tt.want)
		}
	}
}

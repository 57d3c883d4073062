package ui

import (
	"testing"
	"time"

	"berth/engine"
)

func TestStatusTextHealth(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	up := now.Add(-5 * time.Second)
	for status, want := range map[string]string{
		engine.HealthStarting:  "Up 5 seconds (health: starting)",
		engine.HealthHealthy:   "Up 5 seconds (healthy)",
		engine.HealthUnhealthy: "Up 5 seconds (unhealthy)",
	} {
		c := &engine.Container{State: engine.State{Status: engine.StatusRunning, StartedAt: up, Health: &engine.Health{Status: status}}}
		if got := statusText(c, now); got != want {
			t.Errorf("%s: %q, want %q", status, got, want)
		}
	}
}

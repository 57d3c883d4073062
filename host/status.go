package host

import (
	"fmt"
	"time"

	units "github.com/docker/go-units"

	"berth/engine"
)

// StatusText is docker ps's STATUS column, for every face: "Up 5 minutes", "Up 3 seconds
// (Paused)", "Exited (0) 2 minutes ago", "Restarting (1) 3 seconds ago",
// "Created".
func StatusText(s *engine.State, now time.Time) string {
	switch s.Status {
	case engine.StatusRunning:
		if s.Health != nil {
			return "Up " + units.HumanDuration(now.Sub(s.StartedAt)) + " (" + s.Health.String() + ")"
		}
		return "Up " + units.HumanDuration(now.Sub(s.StartedAt))
	case engine.StatusPaused:
		return "Up " + units.HumanDuration(now.Sub(s.StartedAt)) + " (Paused)"
	case engine.StatusRestarting:
		return fmt.Sprintf("Restarting (%d) %s", s.ExitCode, ago(now, s.FinishedAt))
	case engine.StatusRemoving:
		return "Removal In Progress"
	case engine.StatusDead:
		return "Dead"
	case engine.StatusCreated:
		return "Created"
	case engine.StatusExited:
		if s.StartedAt.IsZero() {
			return "Created"
		}
		if s.FinishedAt.IsZero() {
			return ""
		}
		return fmt.Sprintf("Exited (%d) %s", s.ExitCode, ago(now, s.FinishedAt))
	}
	return string(s.Status)
}

// ago is "3 minutes ago".
func ago(now, t time.Time) string { return units.HumanDuration(now.Sub(t)) + " ago" }

package ui

import (
	"fmt"
	"time"

	"charm.land/lipgloss/v2"

	"berth/engine"
	"berth/host"
)

// statusTone is how a STATUS cell is coloured: what a glance at the
// list should take from it.
type statusTone int

const (
	toneGood  statusTone = iota // up, healthy
	toneWarn                    // paused, restarting, health starting, a crash loop
	toneBad                     // unhealthy, OOM-killed, a non-zero exit, dead
	toneQuiet                   // created, exited 0
)

// crashLoopWindow is how long a container the restart policy brought
// back must stay up before the list stops calling it a crash loop.
const crashLoopWindow = time.Minute

// listStatusText is the TUI's STATUS rule, beside docker ps's
// (host.StatusText, which `berth ps` prints and this keeps where it
// reads right). The list says more where docker's text misleads at a
// glance: "Restarting (exit 1)" rather than "Restarting (1)", which
// reads like a count; "OOM (exit 137)" rather than "Exited (137)" for a
// container the kernel killed for memory; "(crash loop)" after "Up 1
// second" for a container its restart policy brought back less than
// crashLoopWindow ago.
func listStatusText(c *engine.Container, now time.Time) string {
	s := &c.State
	switch {
	case s.Status == engine.StatusRestarting:
		return fmt.Sprintf("Restarting (%s) %s", exitText(s), humanDuration(now.Sub(s.FinishedAt))+" ago")
	case s.Status == engine.StatusExited && s.OOMKilled && !s.FinishedAt.IsZero():
		return fmt.Sprintf("OOM (exit %d) %s", s.ExitCode, humanDuration(now.Sub(s.FinishedAt))+" ago")
	case crashLooping(c, now):
		return "Up " + humanDuration(now.Sub(s.StartedAt)) + " (crash loop)"
	}
	return host.StatusText(s, now)
}

// exitText is the last exit of a restarting container: "exit 1", or
// "OOM, exit 137" when the kernel killed it for memory.
func exitText(s *engine.State) string {
	if s.OOMKilled {
		return fmt.Sprintf("OOM, exit %d", s.ExitCode)
	}
	return fmt.Sprintf("exit %d", s.ExitCode)
}

// crashLooping is a running container its restart policy brought back
// less than crashLoopWindow ago.
func crashLooping(c *engine.Container, now time.Time) bool {
	return c.State.Status == engine.StatusRunning && c.RestartCount > 0 && now.Sub(c.State.StartedAt) < crashLoopWindow
}

// listStatusTone is the colour of the STATUS cell: a running container
// is green only while nothing is wrong with it.
func listStatusTone(c *engine.Container, now time.Time) statusTone {
	s := &c.State
	switch s.Status {
	case engine.StatusRunning:
		switch {
		case crashLooping(c, now):
			return toneWarn
		case s.Health == nil:
			return toneGood
		case s.Health.Status == engine.HealthUnhealthy:
			return toneBad
		case s.Health.Status == engine.HealthStarting:
			return toneWarn
		}
		return toneGood
	case engine.StatusPaused, engine.StatusRestarting, engine.StatusRemoving:
		return toneWarn
	case engine.StatusDead:
		return toneBad
	case engine.StatusExited:
		if s.OOMKilled || s.ExitCode != 0 {
			return toneBad
		}
	case engine.StatusCreated:
	}
	return toneQuiet
}

// style is the tone's style.
func (t statusTone) style(st *styles) *lipgloss.Style {
	switch t {
	case toneGood:
		return &st.Running
	case toneWarn:
		return &st.Paused
	case toneBad:
		return &st.Exited
	case toneQuiet:
	}
	return &st.Faint
}

// restartsCell is the RESTARTS column: how often the restart policy
// brought the container back, in the warning colour once it has.
func restartsCell(st *styles, c *engine.Container) cell {
	if c.RestartCount == 0 {
		return styled("0", &st.Faint)
	}
	return styled(fmt.Sprint(c.RestartCount), &st.Paused)
}

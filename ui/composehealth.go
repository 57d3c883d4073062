package ui

import (
	"fmt"

	"charm.land/lipgloss/v2"

	"berth/engine"
)

// projectHealth counts a project's (or service's) containers by how
// they are, for its heading: "3/4 running · 1 unhealthy".
type projectHealth struct {
	total      int
	running    int // up, healthy or not
	unhealthy  int // up, its healthcheck failing
	starting   int // up, its healthcheck not passed yet
	restarting int
	paused     int
	exited     int // ended with an error code, or dead
	completed  int // ended with code 0 (a one-shot job done)
	created    int // never started
}

// healthOf counts cs.
func healthOf(cs []*engine.Container) projectHealth {
	h := projectHealth{total: len(cs)}
	for _, c := range cs {
		s := c.State
		switch {
		case s.Status == engine.StatusRunning:
			h.running++
			switch s.HealthStatus() {
			case engine.HealthUnhealthy:
				h.unhealthy++
			case engine.HealthStarting:
				h.starting++
			}
		case s.Restarting():
			h.restarting++
		case s.Paused():
			h.paused++
		case s.Status == engine.StatusCreated, s.Status == engine.StatusExited && s.StartedAt.IsZero():
			h.created++
		case s.Status == engine.StatusExited && s.ExitCode == 0:
			h.completed++
		case s.Status == engine.StatusExited, s.Dead():
			h.exited++
		}
	}
	return h
}

// healthLevel is how a heading's count is coloured.
type healthLevel int

const (
	healthGood    healthLevel = iota // everything up or done
	healthWarning                    // paused, starting or never started
	healthBad                        // unhealthy, restarting or failed
)

func (h projectHealth) level() healthLevel {
	switch {
	case h.unhealthy+h.restarting+h.exited > 0:
		return healthBad
	case h.paused+h.starting+h.created > 0 || h.running+h.completed < h.total:
		return healthWarning
	}
	return healthGood
}

// segments are the heading's health, each part in its colour: the
// running count first, then what is wrong, then what is merely so.
func (h projectHealth) segments(st *styles) []cell {
	var count *lipgloss.Style
	switch h.level() {
	case healthBad:
		count = &st.Exited
	case healthWarning:
		count = &st.Paused
	case healthGood:
		count = &st.Running
	}
	out := []cell{styled(fmt.Sprintf("%d/%d running", h.running, h.total), count)}
	for _, part := range []struct {
		n     int
		what  string
		style *lipgloss.Style
	}{
		{h.unhealthy, "unhealthy", &st.Exited},
		{h.restarting, "restarting", &st.Exited},
		{h.exited, "exited", &st.Exited},
		{h.starting, "starting", &st.Paused},
		{h.paused, "paused", &st.Paused},
		{h.created, "created", &st.Faint},
		{h.completed, "completed", &st.Faint},
	} {
		if part.n > 0 {
			out = append(out, styled(fmt.Sprintf("%d %s", part.n, part.what), part.style))
		}
	}
	return out
}

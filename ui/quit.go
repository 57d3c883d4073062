package ui

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Quitting while something runs: what berth's CLI can finish is handed
// to it, started in a session of its own (handover.go), so the program
// can go; when something cannot be finished so (a build, a signal that
// may or may not have gone), the quit asks first, and hands over the
// rest only once the user says yes.

// quitAbandonMsg is the user's yes to quitting though some of what runs
// will not be finished.
type quitAbandonMsg struct{}

// handover is one run of berth's CLI that finishes an action after the
// quit, on sh's host.
type handover struct {
	sh   *shared
	what string // "stop web"
	args []string
}

// start starts it, detached.
func (h handover) start() error {
	if err := h.sh.backend.(handoverer).Handover(h.args); err != nil {
		return fmt.Errorf("%s: %w", h.what, err)
	}
	return nil
}

// working says something the user asked for is under way: an action,
// a job, a pull or a build.
func (m model) working() bool {
	return m.actions.running() || m.images.pull != nil || m.building()
}

func (m model) building() bool { return m.images.build != nil && m.images.build.running }

// workProgress is the progress line of everything under way.
func (m model) workProgress(now time.Time) string {
	line := m.actions.progress(now)
	add := func(part string) {
		if line != "" {
			line += " · "
		}
		line += part
	}
	if p := m.images.pull; p != nil {
		add(fmt.Sprintf("pulling %s%s… %ds", p.stream.ref, p.stream.sh.onHost(), int(now.Sub(p.stream.started).Seconds())))
	}
	if m.building() {
		b := m.images.build
		add(fmt.Sprintf("building %s… %ds", b.name(), int(now.Sub(b.stream.started).Seconds())))
	}
	return line
}

// handovers are the CLI runs that finish what is under way, and an
// error for each thing that cannot be finished so: a pull is pulled
// again (the layers it has are kept), a build is not (Docker Desktop
// asks too), nor is anything on a host whose CLI the program does not
// know.
func (m model) handovers(now time.Time) ([]handover, error) {
	plan, err := m.actions.handovers(now)
	errs := []error{err}
	if p := m.images.pull; p != nil {
		plan = append(plan, handover{sh: p.stream.sh, what: "pull " + p.stream.ref, args: []string{"pull", p.stream.ref}})
	}
	if m.building() {
		errs = append(errs, fmt.Errorf("build %s: %w", m.images.build.name(), ErrNoHandover))
	}
	sound := plan[:0:0]
	for _, h := range plan {
		if _, ok := h.sh.backend.(handoverer); !ok {
			errs = append(errs, fmt.Errorf("%s: %w", h.what, ErrNoHandover))
			continue
		}
		sound = append(sound, h)
	}
	return sound, errors.Join(errs...)
}

// quit ends the program. What is under way is handed to berth's CLI,
// detached, so it finishes; when some of it cannot be, the quit asks
// first (force, the user's yes or ctrl+c, quits anyway).
func (m model) quit(force bool) (tea.Model, tea.Cmd) {
	if !m.working() {
		return m, tea.Quit
	}
	now := m.sh.now()
	plan, err := m.handovers(now)
	if err != nil && !force {
		return m, m.askQuit(now, err, func() tea.Msg { return quitAbandonMsg{} })
	}
	var failed []error
	for _, h := range plan {
		if err := h.start(); err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 && !force {
		return m, m.askQuit(now, errors.Join(failed...), tea.Quit)
	}
	return m, tea.Quit
}

// askQuit asks before quitting: what runs, and why it will not finish.
func (m model) askQuit(now time.Time, why error, yes tea.Cmd) tea.Cmd {
	text := ansi.Wordwrap(m.workProgress(now)+"\n"+why.Error(), max(m.width-8, 20), "") // inside the dialog's border
	return dialogCmd(confirmDialog(&m.sh.keys, "Quit and abandon what is running?", text, func() tea.Cmd { return yes }))
}

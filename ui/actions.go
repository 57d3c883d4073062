package ui

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// Actions on containers (start, stop, restart, pause, unpause, kill,
// remove) run each target as a command of its own and are kept by the
// root until the last target is done: the rows say what is happening to
// them (Stopping…), the status line keeps the progress until the end,
// and quitting hands what is still running to berth's CLI, started in a
// session of its own, rather than abandoning it.

// Messages of container actions.
type (
	// actionAskMsg: the user asked for verb on targets (the selected
	// row or the marked ones).
	actionAskMsg struct {
		verb    string
		signal  string // kill's
		targets []actionTarget
	}
	// actionDoneMsg: one target of run is done.
	actionDoneMsg struct {
		run int
		key string
		err error
	}
)

// actionTarget is one container an action changes, on its host.
type actionTarget struct {
	c   *engine.Container
	sh  *shared
	key string // rowKey
}

func (t actionTarget) name() string { return t.c.DisplayName() + t.sh.onHost() }

// actionRun is one action the root keeps while it runs.
type actionRun struct {
	verb    string
	signal  string
	started time.Time
	targets []actionTarget // in the order asked
	pending map[string]bool
	failed  []string
	err     error // the first failure
}

// actionsModel is the actions running, by the number the root gave them.
type actionsModel struct {
	runs map[int]*actionRun
	next int
}

// transitional is what a row's status says while verb runs on it.
var transitional = map[string]string{
	"start": "Starting", "stop": "Stopping", "restart": "Restarting", "remove": "Removing",
	"pause": "Pausing", "unpause": "Unpausing", "kill": "Signalling",
}

// busy is the transitional state of each row an action runs on.
func (a actionsModel) busy() map[string]string {
	out := map[string]string{}
	for _, r := range a.runs {
		for k := range r.pending {
			out[k] = transitional[r.verb]
		}
	}
	return out
}

func (a actionsModel) running() bool { return len(a.runs) > 0 }

// start keeps the run asked for and returns the commands of its targets.
func (a actionsModel) start(msg actionAskMsg, now time.Time) (actionsModel, tea.Cmd) {
	if len(msg.targets) == 0 {
		return a, nil
	}
	if a.runs == nil {
		a.runs = map[int]*actionRun{}
	} else {
		a.runs = cloneRuns(a.runs)
	}
	a.next++
	r := &actionRun{verb: msg.verb, signal: msg.signal, started: now, targets: msg.targets, pending: map[string]bool{}}
	cmds := make([]tea.Cmd, 0, len(msg.targets))
	for _, t := range msg.targets {
		r.pending[t.key] = true
		cmds = append(cmds, actionTargetCmd(a.next, msg.verb, msg.signal, t))
	}
	a.runs[a.next] = r
	return a, tea.Batch(cmds...)
}

// done marks one target done; when it was its run's last, ended is the
// status line the run ends with.
func (a actionsModel) done(msg actionDoneMsg) (_ actionsModel, ended *statusMsg) {
	r := a.runs[msg.run]
	if r == nil || !r.pending[msg.key] {
		return a, nil
	}
	a.runs = cloneRuns(a.runs)
	c := *r
	c.pending = map[string]bool{}
	for k := range r.pending {
		if k != msg.key {
			c.pending[k] = true
		}
	}
	if msg.err != nil {
		for _, t := range r.targets {
			if t.key == msg.key {
				c.failed = append(slices.Clip(c.failed), t.name())
			}
		}
		if c.err == nil {
			c.err = msg.err
		}
	}
	if len(c.pending) > 0 {
		a.runs[msg.run] = &c
		return a, nil
	}
	delete(a.runs, msg.run)
	if c.err != nil {
		return a, &statusMsg{err: fmt.Errorf("%s %s: %w", c.verb, strings.Join(c.failed, ", "), c.err)}
	}
	return a, &statusMsg{text: c.doneText()}
}

func cloneRuns(runs map[int]*actionRun) map[int]*actionRun {
	out := make(map[int]*actionRun, len(runs))
	for k, v := range runs {
		out[k] = v
	}
	return out
}

func (r *actionRun) names() string {
	names := make([]string, len(r.targets))
	for i, t := range r.targets {
		names[i] = t.name()
	}
	return strings.Join(names, ", ")
}

func (r *actionRun) doneText() string {
	if r.verb == "kill" {
		return "sent " + r.signal + " to " + r.names()
	}
	if len(r.targets) > 1 {
		return pastTense(r.verb) + ": " + r.names()
	}
	return pastTense(r.verb) + " " + r.names()
}

// progress is the status line while actions run: each run, the oldest
// first, with the seconds it has taken.
func (a actionsModel) progress(now time.Time) string {
	ids := make([]int, 0, len(a.runs))
	for id := range a.runs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		r := a.runs[id]
		var left []string
		for _, t := range r.targets {
			if r.pending[t.key] {
				left = append(left, t.name())
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s… %ds", strings.ToLower(transitional[r.verb]),
			strings.Join(left, ", "), int(now.Sub(r.started).Seconds())))
	}
	return strings.Join(parts, " · ")
}

// handover hands every action still running to berth's CLI on its
// target's host (see Handover); an action that cannot be handed over is
// an error, and the quit asks first.
func (a actionsModel) handover(now time.Time) error {
	var errs []error
	for _, r := range a.runs {
		for _, t := range r.targets {
			if !r.pending[t.key] {
				continue
			}
			args := handoverArgs(r, t.c, now)
			if args == nil {
				continue
			}
			h, ok := t.sh.backend.(handoverer)
			if !ok {
				errs = append(errs, fmt.Errorf("%s %s: %w", r.verb, t.name(), ErrNoHandover))
				continue
			}
			if err := h.Handover(args); err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", r.verb, t.name(), err))
			}
		}
	}
	return errors.Join(errs...)
}

// handoverArgs is the CLI that finishes r on c: stop and restart with
// what is left of the stop timeout, so the container is killed when the
// program would have killed it. A kill is not sent twice: its signal
// went when it was asked.
func handoverArgs(r *actionRun, c *engine.Container, now time.Time) []string {
	switch r.verb {
	case "stop", "restart":
		timeout := 10 * time.Second
		if c.Config.StopTimeout != nil {
			timeout = time.Duration(*c.Config.StopTimeout) * time.Second
		}
		left := -1 // docker's -t -1: as long as it takes
		if timeout >= 0 {
			left = max(int(math.Ceil((timeout - now.Sub(r.started)).Seconds())), 0)
		}
		return []string{r.verb, "-t", fmt.Sprint(left), c.ID}
	case "remove":
		return []string{"rm", "-f", c.ID}
	case "start", "pause", "unpause":
		return []string{r.verb, c.ID}
	}
	return nil
}

// handoverer is a backend that can start berth's CLI detached.
type handoverer interface {
	// Handover starts berth's CLI with args on the backend's host, in a
	// session of its own, and does not wait for it.
	Handover(args []string) error
}

// actionTargetCmd runs verb on one target.
func actionTargetCmd(run int, verb, signal string, t actionTarget) tea.Cmd {
	return func() tea.Msg {
		b, ctx, id := t.sh.backend, t.sh.ctx, t.c.ID
		var err error
		switch verb {
		case "start":
			err = b.Start(ctx, id)
		case "stop":
			err = b.Stop(ctx, id, engine.StopOptions{})
		case "restart":
			err = b.Restart(ctx, id, engine.StopOptions{})
		case "pause":
			err = b.Pause(ctx, id)
		case "unpause":
			err = b.Unpause(ctx, id)
		case "kill":
			err = b.Kill(ctx, id, signal)
		case "remove":
			err = b.Remove(ctx, id, engine.RemoveOptions{Force: true})
		default:
			err = fmt.Errorf("%w: %s", ErrUnknownAction, verb)
		}
		return actionDoneMsg{run: run, key: t.key, err: err}
	}
}

// askActionCmd asks the root to run verb on cs.
func (m containersModel) askActionCmd(verb, signal string, cs []*engine.Container) tea.Cmd {
	ts := make([]actionTarget, len(cs))
	for i, c := range cs {
		ts[i] = actionTarget{c: c, sh: m.sh.on(m.hostOf[c]), key: m.keyOf(c)}
	}
	return func() tea.Msg { return actionAskMsg{verb: verb, signal: signal, targets: ts} }
}

// statusOf is a row's status: its transitional state while an action
// runs on it.
func (m containersModel) statusOf(c *engine.Container, now time.Time) string {
	if s := m.busy[m.keyOf(c)]; s != "" {
		return s + "…"
	}
	return statusText(c, now)
}

// updateActions keeps the actions' state: the progress replaces the
// status line, the rows show their transitional state, and the screen
// refreshes as each target is done.
func (m model) updateActions(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case actionAskMsg:
		m.actions, cmd = m.actions.start(msg, m.sh.now())
		if cmd != nil {
			m.status, m.statusErr = "", false // the progress takes the line
		}
	case actionDoneMsg:
		var ended *statusMsg
		m.actions, ended = m.actions.done(msg)
		if ended != nil && ended.err != nil {
			m.setError(ended.err)
		} else if ended != nil {
			m.setInfo(ended.text)
		}
		cmd = m.refreshCmd()
	}
	m.containers = m.containers.setBusy(m.actions.busy())
	return m, cmd
}

// quit ends the program. Actions still running are handed to berth's
// CLI, detached, so they finish; when that cannot be done, the quit
// asks first (force quits anyway).
func (m model) quit(force bool) (tea.Model, tea.Cmd) {
	if !m.actions.running() {
		return m, tea.Quit
	}
	running := m.actions.progress(m.sh.now())
	err := m.actions.handover(m.sh.now())
	if err == nil || force {
		return m, tea.Quit
	}
	return m, dialogCmd(confirmDialog(&m.sh.keys, "Quit and abandon what is running?",
		running+"\n"+err.Error(), func() tea.Cmd { return tea.Quit }))
}

package ui

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/sys/unix"

	"berth/engine"
	"berth/host/runopts"
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
	// actionStoppedMsg: the stop of one target of a restart is done;
	// its start follows.
	actionStoppedMsg struct {
		run int
		key string
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
	stopped map[string]bool // restart's targets whose stop is done
	failed  []string
	err     error // the first failure
}

// actionsModel is the actions running, by the number the root gave
// them: those on containers, and the jobs (jobs.go).
type actionsModel struct {
	runs map[int]*actionRun
	jobs map[int]*job
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
	for _, j := range a.jobs {
		for _, k := range j.rows {
			out[k] = j.state
		}
	}
	return out
}

func (a actionsModel) running() bool { return len(a.runs)+len(a.jobs) > 0 }

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

// stopped notes that the stop of one target of a restart is done, and
// returns the command of its start.
func (a actionsModel) stopped(msg actionStoppedMsg) (actionsModel, tea.Cmd) {
	r := a.runs[msg.run]
	if r == nil || !r.pending[msg.key] {
		return a, nil
	}
	a.runs = cloneRuns(a.runs)
	c := *r
	c.stopped = map[string]bool{msg.key: true}
	for k := range r.stopped {
		c.stopped[k] = true
	}
	a.runs[msg.run] = &c
	for _, t := range c.targets {
		if t.key == msg.key {
			return a, restartStartCmd(msg.run, t)
		}
	}
	return a, nil
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
	parts := a.jobsProgress(now)
	for id, r := range a.runs {
		var left []string
		for _, t := range r.targets {
			if r.pending[t.key] {
				left = append(left, t.name())
			}
		}
		parts[id] = fmt.Sprintf("%s %s… %ds", strings.ToLower(transitional[r.verb]),
			strings.Join(left, ", "), int(now.Sub(r.started).Seconds()))
	}
	out := make([]string, 0, len(parts))
	for _, id := range slices.Sorted(maps.Keys(parts)) {
		out = append(out, parts[id])
	}
	return strings.Join(out, " · ")
}

// handovers are the CLI runs that finish every action still running
// on its target's host (see Handover), and an error for each that
// cannot be finished so.
func (a actionsModel) handovers(now time.Time) ([]handover, error) {
	var out []handover
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(a.runs)) {
		r := a.runs[id]
		for _, t := range r.targets {
			if !r.pending[t.key] {
				continue
			}
			what := r.verb + " " + t.name()
			args := handoverArgs(r, t, now)
			if args == nil {
				errs = append(errs, fmt.Errorf("%s: %w", what, ErrNoHandover))
				continue
			}
			out = append(out, handover{sh: t.sh, what: what, args: args})
		}
	}
	jobs, err := a.jobsHandovers()
	return append(out, jobs...), errors.Join(append(errs, err)...)
}

// handoverArgs is the CLI that finishes r on target t, nil when that
// cannot be done soundly: stop and restart with what is left of the
// stop timeout, so the container is killed when the program would have
// killed it; a restart whose stop is done only starts, or it would
// restart twice. A kill still running has not been answered: whether
// its signal went is unknown (it waits for the container's lock while
// a start or a remove holds it, or for a remote host), so a SIGKILL,
// which the container cannot survive, is sent again, while another
// signal, which a second time may mean more than once (a second
// SIGINT or SIGHUP), makes the quit ask.
func handoverArgs(r *actionRun, t actionTarget, now time.Time) []string {
	c := t.c
	if r.verb == "restart" && r.stopped[t.key] {
		return []string{"start", c.ID}
	}
	switch r.verb {
	case "kill":
		if sig, err := runopts.ParseSignal(r.signal); err == nil && sig == unix.SIGKILL {
			return []string{"kill", "-s", "KILL", c.ID}
		}
		return nil
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
			// In two steps, so that a quit between them hands over
			// only the start.
			if err = b.Stop(ctx, id, engine.StopOptions{}); err == nil {
				return actionStoppedMsg{run: run, key: t.key}
			}
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

// restartStartCmd is the start of a restart's target whose stop is done.
func restartStartCmd(run int, t actionTarget) tea.Cmd {
	return func() tea.Msg {
		return actionDoneMsg{run: run, key: t.key, err: t.sh.backend.Start(t.sh.ctx, t.c.ID)}
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
		m.ended(ended)
		cmd = m.refreshCmd()
	case actionStoppedMsg:
		m.actions, cmd = m.actions.stopped(msg)
	case jobAskMsg:
		m.actions, cmd = m.actions.startJob(msg.job, m.sh.now())
		m.status, m.statusErr = "", false // the progress takes the line
	case jobDoneMsg:
		var ended *statusMsg
		m.actions, ended = m.actions.jobDone(msg)
		m.ended(ended)
		cmd = m.refreshCmd()
	case quitAbandonMsg:
		return m.quit(true)
	}
	busy := m.actions.busy()
	m.containers, m.images.busy = m.containers.setBusy(busy), busy
	return m, cmd
}

// ended puts the status line an action ended with, if it ended.
func (m *model) ended(s *statusMsg) {
	switch {
	case s == nil:
	case s.err != nil:
		m.setError(s.err)
	default:
		m.setInfo(s.text)
	}
}

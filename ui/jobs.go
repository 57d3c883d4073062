package ui

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Jobs are the actions that change more than a container: a compose
// project's up, down, start, restart and stop, an image's removal, a
// prune. The root keeps them while they run, beside the container
// actions (actions.go): the rows they change say so (a project's
// heading "Stopping…", an image's row "Removing…"), the status line
// counts their seconds, and the quit hands them to berth's CLI (`berth
// compose -p shop stop`, `berth rmi busybox`) or, where doing them again
// is not sound, asks first. A pull and a build live on the images
// screen (pull.go, build.go); the root reads them there (transfers).

// Messages of jobs.
type (
	// jobAskMsg: the user asked for job.
	jobAskMsg struct{ job *job }
	// jobDoneMsg: job id is done; text is the status line of a success.
	jobDoneMsg struct {
		id   int
		text string
		err  error
	}
	// composeProgressMsg is a line of a job's progress (an up's, a
	// down's), for the status line; next waits for the line after it.
	composeProgressMsg struct {
		line string
		next tea.Cmd
	}
)

// job is one action the root keeps while it runs.
type job struct {
	sh    *shared // the host it runs on
	state string  // what its rows say meanwhile: "Stopping"
	what  string  // "project shop", "image busybox:latest"
	// rows are the keys of the rows it changes (rowKey; a heading's
	// "compose:" key).
	rows []string
	// failed is the status line's head when it fails: "stop project shop".
	failed string
	// cli is berth's CLI that finishes it after a quit; nil when it
	// cannot be done again soundly, which noHandover says why.
	cli        []string
	noHandover string
	// run does it, handing progress each line of what it does, one call
	// at a time; done is the status line of its success.
	run     func(progress func(line string)) (done string, err error)
	started time.Time
}

// startJob keeps j and returns the command that runs it.
func (a actionsModel) startJob(j *job, now time.Time) (actionsModel, tea.Cmd) {
	a.jobs = cloneJobs(a.jobs)
	a.next++
	c := *j
	c.started = now
	a.jobs[a.next] = &c
	return a, jobCmd(a.next, &c)
}

// jobDone forgets job msg.id; ended is the status line it ends with.
func (a actionsModel) jobDone(msg jobDoneMsg) (_ actionsModel, ended *statusMsg) {
	j := a.jobs[msg.id]
	if j == nil {
		return a, nil
	}
	a.jobs = cloneJobs(a.jobs)
	delete(a.jobs, msg.id)
	if msg.err != nil {
		return a, &statusMsg{err: fmt.Errorf("%s: %w", j.failed, msg.err)}
	}
	return a, &statusMsg{text: msg.text}
}

func cloneJobs(jobs map[int]*job) map[int]*job {
	out := make(map[int]*job, len(jobs)+1)
	for k, v := range jobs {
		out[k] = v
	}
	return out
}

// jobsProgress is each job's part of the progress line, by number.
func (a actionsModel) jobsProgress(now time.Time) map[int]string {
	out := map[int]string{}
	for id, j := range a.jobs {
		out[id] = fmt.Sprintf("%s %s… %ds", strings.ToLower(j.state), j.what, int(now.Sub(j.started).Seconds()))
	}
	return out
}

// jobsHandovers are the CLI runs that finish the jobs, and an error for
// each job that cannot be finished so.
func (a actionsModel) jobsHandovers() ([]handover, error) {
	var out []handover
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(a.jobs)) {
		j := a.jobs[id]
		if j.cli == nil {
			errs = append(errs, fmt.Errorf("%s: %w (%s)", j.failed, ErrNoHandover, j.noHandover))
			continue
		}
		out = append(out, handover{sh: j.sh, what: j.failed, args: j.cli})
	}
	return out, errors.Join(errs...)
}

// jobEvent is what a job under way says: a line of progress, or its end.
type jobEvent struct {
	line string
	end  bool
	text string
	err  error
}

// jobCmd runs j in the background, its progress to the status line
// line by line, its end as jobDoneMsg.
func jobCmd(id int, j *job) tea.Cmd {
	sh := j.sh
	return func() tea.Msg {
		ch := make(chan jobEvent, 64)
		go func() {
			send := func(e jobEvent) {
				select {
				case ch <- e:
				case <-sh.ctx.Done():
				}
			}
			text, err := j.run(func(line string) { send(jobEvent{line: line}) })
			send(jobEvent{end: true, text: text, err: err})
		}()
		return waitJobCmd(sh, id, ch)()
	}
}

// waitJobCmd blocks for the next event of job id.
func waitJobCmd(sh *shared, id int, ch <-chan jobEvent) tea.Cmd {
	return func() tea.Msg {
		select {
		case e := <-ch:
			if !e.end {
				return composeProgressMsg{line: e.line, next: waitJobCmd(sh, id, ch)}
			}
			return jobDoneMsg{id: id, text: e.text, err: e.err}
		case <-sh.ctx.Done():
			return nil
		}
	}
}

// askJobCmd asks the root to run j.
func askJobCmd(j *job) tea.Cmd { return func() tea.Msg { return jobAskMsg{job: j} } }

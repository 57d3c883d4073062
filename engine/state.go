package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// A container's state is one value, its Status, changed only by
// State.apply through the table below (as runc keeps its status in one
// place). Docker's booleans (Running, Paused, Restarting, Dead) are not
// stored: they are derived from the Status when a State is shown or
// encoded, so they can never disagree with it.
//
// In short (transitions below has every pair):
//
//	created, exited, restarting --start--> running --pause--> paused --unpause--> running
//	running, paused --exit--> exited          running, paused --restart--> restarting
//	restarting --start failed, shim done--> exited
//	running, paused, restarting --shim died--> exited  (created stays created)
//	created, exited, dead --remove--> removing
//
// Dead is no transition's result: it stands in for a record that cannot
// be read (damaged.go).
//
// Whether a shim looks after the container is kept beside the State
// (record.ShimPID): a container is created or exited while its shim starts
// it, and exited while its shim finishes (see Engine.Wait).

// Status is a container's state, named as docker names it.
type Status string

// The states of a container.
const (
	StatusCreated    Status = "created"    // made, never started (or its first start failed)
	StatusRunning    Status = "running"    // its process runs
	StatusPaused     Status = "paused"     // its process runs, frozen
	StatusRestarting Status = "restarting" // its process exited; the restart policy starts it again
	StatusRemoving   Status = "removing"   // rm is taking it apart
	StatusExited     Status = "exited"     // its process exited and stays down
	StatusDead       Status = "dead"       // its record cannot be read; it can only be removed
)

// Statuses lists every Status, in the order docker's messages name them.
func Statuses() []Status {
	return []Status{StatusCreated, StatusRestarting, StatusRunning, StatusRemoving, StatusPaused, StatusExited, StatusDead}
}

// Valid reports whether s is one of the states above.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// hasProcess reports whether the container's process exists (running or
// frozen): what signals, exec, top and stats need.
func (s Status) hasProcess() bool { return s == StatusRunning || s == StatusPaused }

// live reports whether a shim must be looking after a container in this
// state.
func (s Status) live() bool { return s.hasProcess() || s == StatusRestarting }

// event is something that happens to a container.
type event int

const (
	evStart       event = iota // its shim started its process
	evPause                    // its cgroup was frozen
	evUnpause                  // its cgroup was thawed
	evExit                     // its process exited, to stay down
	evRestart                  // its process exited; the restart policy starts it again
	evStartFailed              // its process could not be started
	evShimDone                 // its shim let go of it (a stop during restart back-off)
	evShimDied                 // its shim is gone without a word
	evRevive                   // whoever noticed the dead shim restarts it by its policy
	evRemove                   // rm takes it apart
)

var eventNames = [...]string{"start", "pause", "unpause", "exit", "restart", "start failed", "shim done", "shim died", "revive", "remove"}

func (ev event) String() string {
	if int(ev) < len(eventNames) {
		return eventNames[ev]
	}
	return fmt.Sprintf("event(%d)", int(ev))
}

// transitions is every allowed change of state. A pair not listed is
// refused by next with the error of refusals, or ErrInvalidTransition.
var transitions = map[Status]map[event]Status{
	StatusCreated: {
		evStart:       StatusRunning,
		evStartFailed: StatusCreated, // as docker: a container that never ran stays created, with the error
		evShimDone:    StatusCreated,
		evShimDied:    StatusCreated,
		evRemove:      StatusRemoving,
	},
	StatusRunning: {
		evPause:    StatusPaused,
		evExit:     StatusExited,
		evRestart:  StatusRestarting,
		evShimDied: StatusExited,
	},
	StatusPaused: {
		evUnpause:  StatusRunning,
		evExit:     StatusExited,
		evRestart:  StatusRestarting,
		evShimDied: StatusExited,
	},
	StatusRestarting: {
		evStart:       StatusRunning,
		evStartFailed: StatusExited,
		evShimDone:    StatusExited,
		evShimDied:    StatusExited,
	},
	StatusExited: {
		evStart:       StatusRunning,
		evStartFailed: StatusExited,
		evShimDone:    StatusExited,
		evShimDied:    StatusExited,
		evRevive:      StatusRestarting,
		evRemove:      StatusRemoving,
	},
	StatusRemoving: {
		evRemove: StatusRemoving,
	},
	StatusDead: {
		evRemove: StatusRemoving,
	},
}

// refusals is the error a refused event gets in a state, where one of
// the package's sentinels says it better than ErrInvalidTransition.
var refusals = map[Status]map[event]error{
	StatusCreated:    {evPause: ErrNotRunning, evUnpause: ErrNotPaused},
	StatusRunning:    {evStart: ErrRunning, evUnpause: ErrNotPaused, evRemove: ErrRunning},
	StatusPaused:     {evStart: ErrPaused, evPause: ErrPaused, evRemove: ErrRunning},
	StatusRestarting: {evPause: ErrNotRunning, evUnpause: ErrNotPaused, evRemove: ErrRunning},
	StatusExited:     {evPause: ErrNotRunning, evUnpause: ErrNotPaused},
	StatusRemoving:   {evStart: ErrRemoving, evPause: ErrNotRunning, evUnpause: ErrNotPaused},
	StatusDead:       {evStart: ErrDamaged, evPause: ErrNotRunning, evUnpause: ErrNotPaused},
}

// next is the state after ev in state s, or why ev cannot happen in s.
func (s Status) next(ev event) (Status, error) {
	if to, ok := transitions[s][ev]; ok {
		return to, nil
	}
	if err, ok := refusals[s][ev]; ok {
		return s, err
	}
	return s, fmt.Errorf("%w: %s of a %s container", ErrInvalidTransition, ev, s)
}

// State is the runtime state of a container: its Status and what the
// last run left (PID, exit code, times). Change the Status with apply.
type State struct {
	Status     Status
	OOMKilled  bool
	Pid        int // host PID of the container's PID 1; 0 when it has no process
	ExitCode   int
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
	// Health is the healthcheck's state (health.go); nil when the
	// container has none.
	Health *Health
}

// Running is docker's State.Running: the container is up, paused or
// restarting.
func (s State) Running() bool { return s.Status.live() }

// Paused is docker's State.Paused.
func (s State) Paused() bool { return s.Status == StatusPaused }

// Restarting is docker's State.Restarting.
func (s State) Restarting() bool { return s.Status == StatusRestarting }

// Dead is docker's State.Dead.
func (s State) Dead() bool { return s.Status == StatusDead }

// apply moves the state on by ev at time now, and keeps what goes with
// the new state: a PID only while there is a process, a start time at
// start, a finish time when the process ends. The caller records the
// details the event brings (PID, exit code, error) after it.
func (s *State) apply(ev event, now time.Time) error {
	to, err := s.Status.next(ev)
	if err != nil {
		return err
	}
	had := s.Status.hasProcess()
	s.Status = to
	switch {
	case ev == evStart:
		s.StartedAt, s.Error, s.OOMKilled, s.ExitCode = now, "", false, 0
	case had && !to.hasProcess(), ev == evStartFailed:
		s.FinishedAt = now
	}
	if !to.hasProcess() {
		s.Pid = 0
	}
	return nil
}

// stateJSON is docker's shape of State.
type stateJSON struct {
	Status     Status    `json:"Status"`
	Running    bool      `json:"Running"`
	Paused     bool      `json:"Paused"`
	Restarting bool      `json:"Restarting"`
	OOMKilled  bool      `json:"OOMKilled"`
	Dead       bool      `json:"Dead"`
	Pid        int       `json:"Pid"`
	ExitCode   int       `json:"ExitCode"`
	Error      string    `json:"Error"`
	StartedAt  time.Time `json:"StartedAt"`
	FinishedAt time.Time `json:"FinishedAt"`
	Health     *Health   `json:"Health,omitempty"`
}

// MarshalJSON writes docker's shape, booleans derived from the Status.
func (s State) MarshalJSON() ([]byte, error) {
	return json.Marshal(stateJSON{
		Status: s.Status, Running: s.Running(), Paused: s.Paused(), Restarting: s.Restarting(),
		OOMKilled: s.OOMKilled, Dead: s.Dead(), Pid: s.Pid, ExitCode: s.ExitCode, Error: s.Error,
		StartedAt: s.StartedAt, FinishedAt: s.FinishedAt, Health: s.Health,
	})
}

// UnmarshalJSON reads docker's shape; the booleans are ignored, the
// Status alone says them.
func (s *State) UnmarshalJSON(data []byte) error {
	var j stateJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*s = State{Status: j.Status, OOMKilled: j.OOMKilled, Pid: j.Pid, ExitCode: j.ExitCode, Error: j.Error,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, Health: j.Health}
	return nil
}

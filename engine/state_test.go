package engine

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var allEvents = []event{evStart, evPause, evUnpause, evExit, evRestart, evStartFailed, evShimDone, evShimDied, evRevive, evRemove}

// TestStatusNext is the whole state machine: every (state, event) pair,
// with the state it leads to or the error that refuses it.
func TestStatusNext(t *testing.T) {
	type want struct {
		to  Status
		err error
	}
	to := func(s Status) want { return want{to: s} }
	no := func(err error) want { return want{err: err} }
	bad := no(ErrInvalidTransition)
	table := map[Status]map[event]want{
		StatusCreated: {
			evStart: to(StatusRunning), evPause: no(ErrNotRunning), evUnpause: no(ErrNotPaused),
			evExit: bad, evRestart: bad, evStartFailed: to(StatusCreated),
			evShimDone: to(StatusCreated), evShimDied: to(StatusCreated), evRevive: bad, evRemove: to(StatusRemoving),
		},
		StatusRunning: {
			evStart: no(ErrRunning), evPause: to(StatusPaused), evUnpause: no(ErrNotPaused),
			evExit: to(StatusExited), evRestart: to(StatusRestarting), evStartFailed: bad,
			evShimDone: bad, evShimDied: to(StatusExited), evRevive: bad, evRemove: no(ErrRunning),
		},
		StatusPaused: {
			evStart: no(ErrPaused), evPause: no(ErrPaused), evUnpause: to(StatusRunning),
			evExit: to(StatusExited), evRestart: to(StatusRestarting), evStartFailed: bad,
			evShimDone: bad, evShimDied: to(StatusExited), evRevive: bad, evRemove: no(ErrRunning),
		},
		StatusRestarting: {
			evStart: to(StatusRunning), evPause: no(ErrNotRunning), evUnpause: no(ErrNotPaused),
			evExit: bad, evRestart: bad, evStartFailed: to(StatusExited),
			evShimDone: to(StatusExited), evShimDied: to(StatusExited), evRevive: bad, evRemove: no(ErrRunning),
		},
		StatusExited: {
			evStart: to(StatusRunning), evPause: no(ErrNotRunning), evUnpause: no(ErrNotPaused),
			evExit: bad, evRestart: bad, evStartFailed: to(StatusExited),
			evShimDone: to(StatusExited), evShimDied: to(StatusExited), evRevive: to(StatusRestarting), evRemove: to(StatusRemoving),
		},
		StatusRemoving: {
			evStart: no(ErrRemoving), evPause: no(ErrNotRunning), evUnpause: no(ErrNotPaused),
			evExit: bad, evRestart: bad, evStartFailed: bad,
			evShimDone: bad, evShimDied: bad, evRevive: bad, evRemove: to(StatusRemoving),
		},
		StatusDead: {
			evStart: no(ErrDamaged), evPause: no(ErrNotRunning), evUnpause: no(ErrNotPaused),
			evExit: bad, evRestart: bad, evStartFailed: bad,
			evShimDone: bad, evShimDied: bad, evRevive: bad, evRemove: to(StatusRemoving),
		},
	}
	for _, s := range Statuses() {
		for _, ev := range allEvents {
			w, ok := table[s][ev]
			if !ok {
				t.Fatalf("the test names no outcome of %s in %s", ev, s)
			}
			got, err := s.next(ev)
			switch {
			case w.err != nil && !errors.Is(err, w.err):
				t.Errorf("%s --%s--> error %v, want %v", s, ev, err, w.err)
			case w.err != nil && got != s:
				t.Errorf("%s --%s--> refused but moved to %s", s, ev, got)
			case w.err == nil && (err != nil || got != w.to):
				t.Errorf("%s --%s--> %s, %v; want %s", s, ev, got, err, w.to)
			}
		}
	}
	if _, err := StatusExited.next(event(99)); !errors.Is(err, ErrInvalidTransition) || !strings.Contains(err.Error(), "event(99)") {
		t.Errorf("unknown event: %v", err)
	}
}

// TestStatusPredicates: docker's booleans and the engine's own questions
// all come from the Status.
func TestStatusPredicates(t *testing.T) {
	for _, tc := range []struct {
		s                                 Status
		running, paused, restarting, dead bool
		process, live                     bool
	}{
		{s: StatusCreated},
		{s: StatusRunning, running: true, process: true, live: true},
		{s: StatusPaused, running: true, paused: true, process: true, live: true},
		{s: StatusRestarting, running: true, restarting: true, live: true},
		{s: StatusRemoving},
		{s: StatusExited},
		{s: StatusDead, dead: true},
	} {
		st := State{Status: tc.s}
		if st.Running() != tc.running || st.Paused() != tc.paused || st.Restarting() != tc.restarting || st.Dead() != tc.dead {
			t.Errorf("%s: Running %v Paused %v Restarting %v Dead %v", tc.s, st.Running(), st.Paused(), st.Restarting(), st.Dead())
		}
		if tc.s.hasProcess() != tc.process || tc.s.live() != tc.live {
			t.Errorf("%s: hasProcess %v live %v", tc.s, tc.s.hasProcess(), tc.s.live())
		}
		if !tc.s.Valid() {
			t.Errorf("%s is not valid", tc.s)
		}
	}
	for _, s := range []Status{"", "Running", "stopped"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
}

// TestStateApply: what goes with each change of state: the PID only
// while there is a process, the start and finish times, a fresh exit
// record at start.
func TestStateApply(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	st := State{Status: StatusExited, ExitCode: 3, Error: "boom", OOMKilled: true, FinishedAt: t0}
	if err := st.apply(evStart, t0); err != nil {
		t.Fatal(err)
	}
	st.Pid = 42
	if st.Status != StatusRunning || st.StartedAt != t0 || st.ExitCode != 0 || st.Error != "" || st.OOMKilled || st.FinishedAt != t0 {
		t.Fatalf("after start: %+v", st)
	}
	if err := st.apply(evPause, t1); err != nil || st.Pid != 42 || st.Status != StatusPaused || st.FinishedAt != t0 {
		t.Fatalf("after pause: %+v, %v", st, err)
	}
	if err := st.apply(evRestart, t1); err != nil || st.Pid != 0 || st.Status != StatusRestarting || st.FinishedAt != t1 {
		t.Fatalf("after restart: %+v, %v", st, err)
	}
	t2 := t1.Add(time.Minute)
	if err := st.apply(evStartFailed, t2); err != nil || st.Status != StatusExited || st.FinishedAt != t2 {
		t.Fatalf("after failed start: %+v, %v", st, err)
	}
	before := st
	if err := st.apply(evPause, t2); !errors.Is(err, ErrNotRunning) || st != before {
		t.Fatalf("refused pause changed the state: %+v, %v", st, err)
	}
}

// TestStateJSON: docker's inspect shape, booleans derived from the Status
// on the way out and never trusted on the way in.
func TestStateJSON(t *testing.T) {
	st := State{Status: StatusPaused, Pid: 7, ExitCode: 0}
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"Status": "paused", "Running": true, "Paused": true, "Restarting": false,
		"OOMKilled": false, "Dead": false, "Pid": 7.0, "ExitCode": 0.0, "Error": ""} {
		if m[key] != want {
			t.Errorf("%s = %v, want %v", key, m[key], want)
		}
	}
	for _, key := range []string{"StartedAt", "FinishedAt"} {
		if _, ok := m[key]; !ok {
			t.Errorf("no %s in %s", key, data)
		}
	}
	var back State
	if err := json.Unmarshal([]byte(`{"Status":"exited","Running":true,"Paused":true,"ExitCode":3}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != StatusExited || back.Running() || back.Paused() || back.ExitCode != 3 {
		t.Errorf("decoded %+v", back)
	}
}

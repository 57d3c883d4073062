package engine

import (
	"os"
	"testing"
	"time"
)

func TestShouldRestart(t *testing.T) {
	onFailure3 := RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}
	tests := []struct {
		name    string
		policy  RestartPolicy
		stopped bool
		code    int
		count   int
		want    bool
	}{
		{"no", RestartPolicy{Name: "no"}, false, 1, 0, false},
		{"empty is no", RestartPolicy{}, false, 1, 0, false},
		{"always after success", RestartPolicy{Name: "always"}, false, 0, 7, true},
		{"always stopped by the user", RestartPolicy{Name: "always"}, true, 137, 0, false},
		{"unless-stopped", RestartPolicy{Name: "unless-stopped"}, false, 0, 0, true},
		{"unless-stopped stopped by the user", RestartPolicy{Name: "unless-stopped"}, true, 143, 0, false},
		{"on-failure after success", RestartPolicy{Name: "on-failure"}, false, 0, 0, false},
		{"on-failure unbounded", RestartPolicy{Name: "on-failure"}, false, 1, 100, true},
		{"on-failure retries left", onFailure3, false, 255, 2, true},
		{"on-failure retries spent", onFailure3, false, 255, 3, false},
		{"on-failure stopped by the user", onFailure3, true, 137, 0, false},
	}
	for _, tc := range tests {
		if got := shouldRestart(tc.policy, tc.stopped, tc.code, tc.count); got != tc.want {
			t.Errorf("%s: shouldRestart = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// docker's back-off: 100ms, doubling to a minute, back to 100ms after a
// run of ten seconds or more.
func TestNextBackoff(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		last, ran, want time.Duration
	}{
		{0, 0, 100 * ms},
		{0, time.Hour, 100 * ms},
		{100 * ms, 50 * ms, 200 * ms},
		{800 * ms, 9 * time.Second, 1600 * ms},
		{800 * ms, 10 * time.Second, 100 * ms},
		{40 * time.Second, time.Second, time.Minute},
		{time.Minute, time.Second, time.Minute},
	}
	for _, tc := range tests {
		if got := nextBackoff(tc.last, tc.ran); got != tc.want {
			t.Errorf("nextBackoff(%v, ran %v) = %v, want %v", tc.last, tc.ran, got, tc.want)
		}
	}
}

// rec is a record with a restart policy in a state, for the rules below.
func rec(policy string, max int, state State, stopped bool, count int, delay time.Duration) *record {
	c := &record{ManuallyStopped: stopped, RestartDelay: delay}
	c.HostConfig = HostConfig{RestartPolicy: RestartPolicy{Name: policy, MaximumRetryCount: max}}
	c.State = state
	c.RestartCount = count
	return c
}

func TestPlanAfterShimDeath(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	running := func(upFor time.Duration) State {
		return State{Status: StatusRunning, StartedAt: now.Add(-upFor)}
	}
	paused := State{Status: StatusPaused, StartedAt: now.Add(-time.Hour)}
	restarting := func(exitedAgo time.Duration) State {
		return State{Status: StatusRestarting, ExitCode: 3, FinishedAt: now.Add(-exitedAgo)}
	}
	exited := State{Status: StatusExited, ExitCode: 1, StartedAt: now.Add(-time.Hour)}
	tests := []struct {
		name string
		c    *record
		want restartPlan
	}{
		{"always running long: 100ms", rec("always", 0, running(time.Minute), false, 0, 800*ms),
			restartPlan{restart: true, delay: 100 * ms, backoff: 100 * ms, counts: true}},
		{"always running briefly: doubles", rec("always", 0, running(time.Second), false, 4, 800*ms),
			restartPlan{restart: true, delay: 1600 * ms, backoff: 1600 * ms, counts: true}},
		{"paused is running", rec("unless-stopped", 0, paused, false, 0, 0),
			restartPlan{restart: true, delay: 100 * ms, backoff: 100 * ms, counts: true}},
		{"on-failure running: 255 is a failure", rec("on-failure", 2, running(time.Minute), false, 1, 0),
			restartPlan{restart: true, delay: 100 * ms, backoff: 100 * ms, counts: true}},
		{"on-failure retries spent", rec("on-failure", 2, running(time.Minute), false, 2, 0), restartPlan{}},
		{"no", rec("no", 0, running(time.Minute), false, 0, 0), restartPlan{}},
		{"back-off goes on: what is left of it", rec("always", 0, restarting(500*ms), false, 5, 1600*ms),
			restartPlan{restart: true, delay: 1100 * ms, backoff: 1600 * ms}},
		{"back-off over: at once", rec("on-failure", 5, restarting(time.Minute), false, 5, 1600*ms),
			restartPlan{restart: true, delay: 0, backoff: 1600 * ms}},
		{"stopped during the back-off", rec("always", 0, restarting(0), true, 5, 1600*ms), restartPlan{}},
		{"exited: nothing to do", rec("always", 0, exited, false, 0, 0), restartPlan{}},
	}
	for _, tc := range tests {
		if got := planAfterShimDeath(tc.c, now); got != tc.want {
			t.Errorf("%s: plan %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// The boot rule per policy and state, as dockerd's restore.
func TestStartAtBoot(t *testing.T) {
	started := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	running := State{Status: StatusRunning, StartedAt: started}
	paused := State{Status: StatusPaused, StartedAt: started}
	restarting := State{Status: StatusRestarting, ExitCode: 1, StartedAt: started}
	exited0 := State{Status: StatusExited, ExitCode: 0, StartedAt: started}
	exited1 := State{Status: StatusExited, ExitCode: 1, StartedAt: started}
	stopped := State{Status: StatusExited, ExitCode: 137, StartedAt: started}
	created := State{Status: StatusCreated}
	tests := []struct {
		name string
		c    *record
		want bool
	}{
		{"no, running", rec("no", 0, running, false, 0, 0), false},
		{"empty policy, running", rec("", 0, running, false, 0, 0), false},
		{"always, running", rec("always", 0, running, false, 0, 0), true},
		{"always, paused", rec("always", 0, paused, false, 0, 0), true},
		{"always, restarting", rec("always", 0, restarting, false, 3, 0), true},
		{"always, stopped by the user: docker starts it", rec("always", 0, stopped, true, 0, 0), true},
		{"always, exited 0", rec("always", 0, exited0, false, 0, 0), true},
		{"always, never started", rec("always", 0, created, false, 0, 0), false},
		{"unless-stopped, running", rec("unless-stopped", 0, running, false, 0, 0), true},
		{"unless-stopped, stopped by the user", rec("unless-stopped", 0, stopped, true, 0, 0), false},
		{"unless-stopped, never started", rec("unless-stopped", 0, created, false, 0, 0), false},
		{"on-failure, running", rec("on-failure", 0, running, false, 0, 0), true},
		{"on-failure:3, running, retries left", rec("on-failure", 3, running, false, 2, 0), true},
		{"on-failure:3, running, retries spent", rec("on-failure", 3, running, false, 3, 0), false},
		{"on-failure:3, restarting (a granted retry)", rec("on-failure", 3, restarting, false, 3, 0), true},
		{"on-failure, exited 0", rec("on-failure", 0, exited0, false, 0, 0), false},
		{"on-failure:3, exited 1, retries spent", rec("on-failure", 3, exited1, false, 3, 0), false},
		{"on-failure, exited 1, retries left", rec("on-failure", 3, exited1, false, 1, 0), true},
		{"on-failure, stopped by the user", rec("on-failure", 0, stopped, true, 0, 0), false},
		{"on-failure, never started", rec("on-failure", 0, created, false, 0, 0), false},
	}
	for _, tc := range tests {
		if got := startAtBoot(tc.c); got != tc.want {
			t.Errorf("%s: startAtBoot = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A shim is alive only as the PID, start time and boot it was recorded
// with: after a reboot the same PID and start time are another process.
func TestShimAlive(t *testing.T) {
	self := os.Getpid()
	start := processStartTime(self)
	tests := []struct {
		name  string
		start uint64
		boot  string
		want  bool
	}{
		{"this process, this boot", start, bootID(), true},
		{"recorded before boot IDs were", start, "", true},
		{"another boot", start, "0bad0bad-0000-4000-8000-000000000000", false},
		{"another start time", start + 1, bootID(), false},
	}
	for _, tc := range tests {
		c := &record{ShimPID: self, ShimStart: tc.start, ShimBoot: tc.boot}
		if got := shimAlive(c); got != tc.want {
			t.Errorf("%s: shimAlive = %v, want %v", tc.name, got, tc.want)
		}
	}
}

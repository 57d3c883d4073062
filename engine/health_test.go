package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMergeHealthcheck(t *testing.T) {
	image := &HealthConfig{Test: []string{"CMD", "true"}, Interval: time.Second, Timeout: 2 * time.Second,
		StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 5}
	tests := []struct {
		name        string
		user, image *HealthConfig
		want        *HealthConfig
	}{
		{"neither", nil, nil, nil},
		{"image only", nil, image, image},
		{"user only", &HealthConfig{Test: []string{"CMD-SHELL", "x"}}, nil, &HealthConfig{Test: []string{"CMD-SHELL", "x"}}},
		{"user's command, image's timing", &HealthConfig{Test: []string{"CMD-SHELL", "x"}}, image,
			&HealthConfig{Test: []string{"CMD-SHELL", "x"}, Interval: time.Second, Timeout: 2 * time.Second,
				StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 5}},
		{"user's interval, image's command", &HealthConfig{Interval: time.Minute}, image,
			&HealthConfig{Test: []string{"CMD", "true"}, Interval: time.Minute, Timeout: 2 * time.Second,
				StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 5}},
		{"none over the image's", &HealthConfig{Test: []string{"NONE"}}, image,
			&HealthConfig{Test: []string{"NONE"}, Interval: time.Second, Timeout: 2 * time.Second,
				StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergeHealthcheck(tt.user, tt.image); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := probeOf(mergeHealthcheck(&HealthConfig{Test: []string{"NONE"}}, image)); got != nil {
		t.Errorf("NONE over an image's healthcheck probes %+v", got)
	}
}

func TestCheckHealthcheck(t *testing.T) {
	tests := []struct {
		h    *HealthConfig
		want string
	}{
		{nil, ""},
		{&HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Millisecond}, ""},
		{&HealthConfig{Interval: time.Microsecond}, "Interval in Healthcheck cannot be less than 1ms"},
		{&HealthConfig{Timeout: time.Microsecond}, "Timeout in Healthcheck cannot be less than 1ms"},
		{&HealthConfig{StartPeriod: time.Microsecond}, "StartPeriod in Healthcheck cannot be less than 1ms"},
		{&HealthConfig{StartInterval: time.Microsecond}, "StartInterval in Healthcheck cannot be less than 1ms"},
		{&HealthConfig{Retries: -1}, "Retries in Healthcheck cannot be negative"},
		{&HealthConfig{Test: []string{"CMD"}}, "invalid Healthcheck Test"},
		{&HealthConfig{Test: []string{"CMD-SHELL", "a", "b"}}, "invalid Healthcheck Test"},
		{&HealthConfig{Test: []string{"SHELL", "a"}}, `unknown type "SHELL"`},
	}
	for _, tt := range tests {
		err := checkHealthcheck(tt.h)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.h, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%+v: %v, want %q", tt.h, err, tt.want)
		}
	}
}

func TestProbeOf(t *testing.T) {
	tests := []struct {
		h    *HealthConfig
		want *healthProbe
	}{
		{nil, nil},
		{&HealthConfig{Test: []string{"NONE"}}, nil},
		{&HealthConfig{Interval: time.Second}, nil},
		{&HealthConfig{Test: []string{"CMD-SHELL", "curl -f x || exit 1"}},
			&healthProbe{args: []string{"/bin/sh", "-c", "curl -f x || exit 1"}, interval: 30 * time.Second,
				timeout: 30 * time.Second, startInterval: 5 * time.Second, retries: 3}},
		{&HealthConfig{Test: []string{"CMD", "test", "-e", "/ok"}, Interval: time.Second, Timeout: 2 * time.Second,
			StartPeriod: time.Minute, StartInterval: 100 * time.Millisecond, Retries: 1},
			&healthProbe{args: []string{"test", "-e", "/ok"}, interval: time.Second, timeout: 2 * time.Second,
				startPeriod: time.Minute, startInterval: 100 * time.Millisecond, retries: 1}},
	}
	for _, tt := range tests {
		if got := probeOf(tt.h); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("probeOf(%+v) = %+v, want %+v", tt.h, got, tt.want)
		}
	}
	p := probeOf(&HealthConfig{Test: []string{"CMD", "x"}, Interval: time.Minute, StartPeriod: time.Hour, StartInterval: time.Second})
	if got := p.next(HealthStarting, time.Second); got != time.Second {
		t.Errorf("starting within the start period: next in %v, want the start interval", got)
	}
	if got := p.next(HealthStarting, 2*time.Hour); got != time.Minute {
		t.Errorf("starting after the start period: next in %v, want the interval", got)
	}
	if got := p.next(HealthHealthy, time.Second); got != time.Minute {
		t.Errorf("healthy: next in %v, want the interval", got)
	}
}

func TestHealthRecord(t *testing.T) {
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &healthProbe{retries: 2, startPeriod: time.Minute}
	at := func(d time.Duration, code int) HealthResult {
		return HealthResult{Start: started.Add(d), End: started.Add(d), ExitCode: code}
	}
	tests := []struct {
		name    string
		from    Health
		result  HealthResult
		status  string
		streak  int
		changed bool
	}{
		{"failure in the start period", Health{Status: HealthStarting}, at(time.Second, 1), HealthStarting, 0, false},
		{"failure after the start period", Health{Status: HealthStarting}, at(2*time.Minute, 1), HealthStarting, 1, false},
		{"retries reached", Health{Status: HealthStarting, FailingStreak: 1}, at(2*time.Minute, 1), HealthUnhealthy, 2, true},
		{"success while starting", Health{Status: HealthStarting}, at(time.Second, 0), HealthHealthy, 0, true},
		{"failure when healthy, in the start period", Health{Status: HealthHealthy}, at(time.Second, 1), HealthHealthy, 1, false},
		{"second failure when healthy", Health{Status: HealthHealthy, FailingStreak: 1}, at(time.Second, -1), HealthUnhealthy, 2, true},
		{"success when unhealthy", Health{Status: HealthUnhealthy, FailingStreak: 7}, at(time.Hour, 0), HealthHealthy, 0, true},
		{"failure when unhealthy", Health{Status: HealthUnhealthy, FailingStreak: 7}, at(time.Hour, 2), HealthUnhealthy, 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.from
			changed := h.record(tt.result, p, started)
			if h.Status != tt.status || h.FailingStreak != tt.streak || changed != tt.changed {
				t.Errorf("got %s streak %d changed %v, want %s %d %v", h.Status, h.FailingStreak, changed, tt.status, tt.streak, tt.changed)
			}
			if len(h.Log) != 1 || h.Log[0] != tt.result {
				t.Errorf("log %+v", h.Log)
			}
		})
	}
	h := &Health{Status: HealthHealthy}
	for i := range 7 {
		h.record(at(time.Duration(i)*time.Hour, 0), p, started)
	}
	if len(h.Log) != 5 || h.Log[0].Start != started.Add(2*time.Hour) || h.Log[4].Start != started.Add(6*time.Hour) {
		t.Errorf("the log keeps %d results from %v to %v, want the newest 5", len(h.Log), h.Log[0].Start, h.Log[len(h.Log)-1].Start)
	}
	h.FailingStreak = 3
	h.restart()
	if h.Status != HealthStarting || h.FailingStreak != 0 || len(h.Log) != 5 {
		t.Errorf("after a restart: %s streak %d log %d, want starting, 0, the log kept", h.Status, h.FailingStreak, len(h.Log))
	}
}

func TestHealthStrings(t *testing.T) {
	for status, want := range map[string]string{HealthStarting: "health: starting", HealthHealthy: "healthy", HealthUnhealthy: "unhealthy"} {
		if got := (&Health{Status: status}).String(); got != want {
			t.Errorf("%s: %q, want %q", status, got, want)
		}
	}
	if got := (&State{}).HealthStatus(); got != HealthNone {
		t.Errorf("no healthcheck: %q", got)
	}
	if got := (&State{Health: &Health{Status: HealthHealthy}}).HealthStatus(); got != HealthHealthy {
		t.Errorf("healthy: %q", got)
	}
}

func TestLimitedOutput(t *testing.T) {
	var o limitedOutput
	if _, err := o.Write([]byte("short")); err != nil || o.String() != "short" {
		t.Fatalf("%q, %v", o.String(), err)
	}
	big := strings.Repeat("x", healthOutputLimit)
	if n, _ := o.Write([]byte(big)); n != len(big) {
		t.Errorf("Write took %d of %d bytes: a probe must never block on its output", n, len(big))
	}
	if got := o.String(); len(got) != healthOutputLimit+3 || !strings.HasPrefix(got, "short") || !strings.HasSuffix(got, "x...") {
		t.Errorf("truncated output: %d bytes, %q…", len(got), got[:10])
	}
}

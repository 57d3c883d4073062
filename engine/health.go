package engine

import (
	"fmt"
	"time"

	"berth/images"
)

// Healthchecks, as docker has them. A container's healthcheck is its
// image's HEALTHCHECK under the user's --health-* flags (mergeHealthcheck);
// its shim runs the probe inside the container while it runs
// (healthprobe.go), and records each result in State.Health with the
// rules below (Health.record), under the record's lock as every other
// change of state.

// Docker's health statuses; "none" (no healthcheck) is only a filter value.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthNone      = "none"
)

// Docker's defaults for what a healthcheck leaves zero, and its limits.
const (
	defaultHealthInterval      = 30 * time.Second
	defaultHealthTimeout       = 30 * time.Second
	defaultHealthStartInterval = 5 * time.Second
	defaultHealthRetries       = 3
	// MinimumHealthDuration is the shortest interval, timeout, start
	// period or start interval docker accepts (other than 0: the default).
	MinimumHealthDuration = time.Millisecond
	// healthLogEntries results are kept, the newest last.
	healthLogEntries = 5
	// healthOutputLimit bytes of a probe's output are kept.
	healthOutputLimit = 4096
)

// HealthConfig is docker's Config.Healthcheck: the probe and its timing.
// Test is ["NONE"] (no healthcheck, not even the image's), ["CMD", arg…],
// ["CMD-SHELL", command] (run by /bin/sh -c), or empty (the image's).
// Zero durations and retries mean the image's, then docker's defaults.
type HealthConfig struct {
	Test          []string      `json:"Test,omitempty"`
	Interval      time.Duration `json:"Interval,omitempty"`
	Timeout       time.Duration `json:"Timeout,omitempty"`
	StartPeriod   time.Duration `json:"StartPeriod,omitempty"`
	StartInterval time.Duration `json:"StartInterval,omitempty"`
	Retries       int           `json:"Retries,omitempty"`
}

// Health is docker's State.Health.
type Health struct {
	Status        string         `json:"Status"`
	FailingStreak int            `json:"FailingStreak"`
	Log           []HealthResult `json:"Log"`
}

// HealthResult is one run of the probe. ExitCode is 0 (healthy), 1
// (unhealthy, as any other code), or -1 when the probe could not run or
// ran out of time.
type HealthResult struct {
	Start    time.Time `json:"Start"`
	End      time.Time `json:"End"`
	ExitCode int       `json:"ExitCode"`
	Output   string    `json:"Output"`
}

// String is how ps shows the status in parentheses: "health: starting",
// "healthy", "unhealthy".
func (h *Health) String() string {
	if h.Status == HealthStarting {
		return "health: starting"
	}
	return h.Status
}

// HealthStatus is what `ps -f health=` matches: the status, or "none"
// for a container without a healthcheck.
func (s *State) HealthStatus() string {
	if s.Health == nil {
		return HealthNone
	}
	return s.Health.Status
}

// mergeHealthcheck is docker's rule: the user's settings, what they
// leave zero taken from the image's.
func mergeHealthcheck(user, image *HealthConfig) *HealthConfig {
	if user == nil {
		return image
	}
	if image == nil {
		return user
	}
	h := *user
	if len(h.Test) == 0 {
		h.Test = image.Test
	}
	if h.Interval == 0 {
		h.Interval = image.Interval
	}
	if h.Timeout == 0 {
		h.Timeout = image.Timeout
	}
	if h.StartPeriod == 0 {
		h.StartPeriod = image.StartPeriod
	}
	if h.StartInterval == 0 {
		h.StartInterval = image.StartInterval
	}
	if h.Retries == 0 {
		h.Retries = image.Retries
	}
	return &h
}

// checkHealthcheck refuses what docker's daemon refuses, in its words.
func checkHealthcheck(h *HealthConfig) error {
	if h == nil {
		return nil
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Interval", h.Interval}, {"Timeout", h.Timeout}, {"StartPeriod", h.StartPeriod}, {"StartInterval", h.StartInterval}} {
		if d.v != 0 && d.v < MinimumHealthDuration {
			return invalidf("%s in Healthcheck cannot be less than %s", d.name, MinimumHealthDuration)
		}
	}
	if h.Retries < 0 {
		return invalidf("Retries in Healthcheck cannot be negative")
	}
	if len(h.Test) > 0 {
		switch h.Test[0] {
		case "NONE":
		case "CMD", "CMD-SHELL":
			if len(h.Test) < 2 || (h.Test[0] == "CMD-SHELL" && len(h.Test) != 2) {
				return invalidf("invalid Healthcheck Test %q", h.Test)
			}
		default:
			return invalidf("unknown type %q in Healthcheck Test", h.Test[0])
		}
	}
	return nil
}

// healthProbe is a container's healthcheck with docker's defaults filled
// in; nil when it has none.
type healthProbe struct {
	args          []string // the command, run inside the container
	interval      time.Duration
	timeout       time.Duration
	startPeriod   time.Duration
	startInterval time.Duration
	retries       int
}

// probeOf returns the probe a container's healthcheck runs, nil when it
// has none (no Test, or NONE).
func probeOf(h *HealthConfig) *healthProbe {
	if h == nil || len(h.Test) < 2 {
		return nil
	}
	p := &healthProbe{
		interval: h.Interval, timeout: h.Timeout, startPeriod: h.StartPeriod,
		startInterval: h.StartInterval, retries: h.Retries,
	}
	switch h.Test[0] {
	case "CMD":
		p.args = h.Test[1:]
	case "CMD-SHELL":
		p.args = []string{"/bin/sh", "-c", h.Test[1]}
	default:
		return nil
	}
	if p.interval == 0 {
		p.interval = defaultHealthInterval
	}
	if p.timeout == 0 {
		p.timeout = defaultHealthTimeout
	}
	if p.startInterval == 0 {
		p.startInterval = defaultHealthStartInterval
	}
	if p.retries == 0 {
		p.retries = defaultHealthRetries
	}
	return p
}

// next is the wait before the next run of the probe: the start interval
// while the container is starting within its start period, else the
// interval.
func (p *healthProbe) next(status string, sinceStart time.Duration) time.Duration {
	if status == HealthStarting && sinceStart < p.startPeriod {
		return p.startInterval
	}
	return p.interval
}

// record adds a result by docker's rules, and reports whether the status
// changed (a health_status event). A success makes the container healthy;
// a failure counts toward retries, except while a container that never
// passed is still within its start period.
func (h *Health) record(r HealthResult, p *healthProbe, startedAt time.Time) (changed bool) {
	before := h.Status
	if r.ExitCode == 0 {
		h.FailingStreak = 0
		h.Status = HealthHealthy
	} else if h.Status != HealthStarting || r.Start.Sub(startedAt) >= p.startPeriod {
		h.FailingStreak++
		if h.FailingStreak >= p.retries {
			h.Status = HealthUnhealthy
		}
	}
	h.Log = append(h.Log, r)
	if len(h.Log) > healthLogEntries {
		h.Log = append([]HealthResult(nil), h.Log[len(h.Log)-healthLogEntries:]...)
	}
	return h.Status != before
}

// restart is a new run of the container: starting again, the streak
// cleared, the log kept (as docker).
func (h *Health) restart() {
	h.Status, h.FailingStreak = HealthStarting, 0
}

// limitedOutput keeps the first healthOutputLimit bytes written to it,
// and says "..." after them when there was more.
type limitedOutput struct {
	buf       []byte
	truncated bool
}

func (o *limitedOutput) Write(p []byte) (int, error) {
	keep := min(healthOutputLimit-len(o.buf), len(p))
	if keep > 0 {
		o.buf = append(o.buf, p[:keep]...)
	}
	if keep < len(p) {
		o.truncated = true
	}
	return len(p), nil
}

func (o *limitedOutput) String() string {
	if o.truncated {
		return string(o.buf) + "..."
	}
	return string(o.buf)
}

// timeoutResult is docker's result for a probe that ran out of time.
func timeoutResult(start time.Time, timeout time.Duration) HealthResult {
	return HealthResult{Start: start, End: time.Now(), ExitCode: -1,
		Output: fmt.Sprintf("Health check exceeded timeout (%v)", timeout)}
}

// imageHealthcheck is an image's HEALTHCHECK as a container's.
func imageHealthcheck(h *images.Healthcheck) *HealthConfig {
	if h == nil {
		return nil
	}
	return &HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
		StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
}

package runopts

import (
	"errors"
	"time"

	"github.com/spf13/pflag"

	"berth/engine"
)

// healthFlags are the healthcheck flags of run and create, as docker's.
type healthFlags struct {
	cmd                                           string
	interval, timeout, startPeriod, startInterval time.Duration
	retries                                       int
	none                                          bool
}

func (h *healthFlags) register(flags *pflag.FlagSet) {
	flags.StringVar(&h.cmd, "health-cmd", "", "command to run to check health (run by /bin/sh -c)")
	flags.DurationVar(&h.interval, "health-interval", 0, "time between running the check (ms|s|m|h) (default 0s: the image's, else 30s)")
	flags.DurationVar(&h.timeout, "health-timeout", 0, "maximum time to allow one check to run (ms|s|m|h) (default 0s: the image's, else 30s)")
	flags.IntVar(&h.retries, "health-retries", 0, "consecutive failures needed to report unhealthy (default 0: the image's, else 3)")
	flags.DurationVar(&h.startPeriod, "health-start-period", 0, "start period for the container to initialize before failures count (ms|s|m|h) (default 0s)")
	flags.DurationVar(&h.startInterval, "health-start-interval", 0, "time between running the check during the start period (ms|s|m|h) (default 0s: the image's, else 5s)")
	flags.BoolVar(&h.none, "no-healthcheck", false, "disable any container-specified HEALTHCHECK")
}

// config is the container's Healthcheck from the flags, nil when none was
// given (the image's then holds), with docker's checks and messages.
func (h *healthFlags) config() (*engine.HealthConfig, error) {
	switch {
	case h.interval < 0:
		return nil, errors.New("--health-interval cannot be negative")
	case h.timeout < 0:
		return nil, errors.New("--health-timeout cannot be negative")
	case h.retries < 0:
		return nil, errors.New("--health-retries cannot be negative")
	case h.startPeriod < 0:
		return nil, errors.New("--health-start-period cannot be negative")
	case h.startInterval < 0:
		return nil, errors.New("--health-start-interval cannot be negative")
	}
	given := h.cmd != "" || h.interval != 0 || h.timeout != 0 || h.retries != 0 || h.startPeriod != 0 || h.startInterval != 0
	if h.none {
		if given {
			return nil, errors.New("--no-healthcheck conflicts with --health-* options")
		}
		return &engine.HealthConfig{Test: []string{"NONE"}}, nil
	}
	if !given {
		return nil, nil
	}
	hc := &engine.HealthConfig{Interval: h.interval, Timeout: h.timeout, StartPeriod: h.startPeriod,
		StartInterval: h.startInterval, Retries: h.retries}
	if h.cmd != "" {
		hc.Test = []string{"CMD-SHELL", h.cmd}
	}
	return hc, nil
}

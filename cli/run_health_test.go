package cli

import (
	"reflect"
	"testing"
	"time"

	"berth/config"
	"berth/engine"
)

func TestHealthFlags(t *testing.T) {
	cfg := &config.Config{DefaultNetwork: "none"}
	tests := []struct {
		args    []string
		want    *engine.HealthConfig
		wantErr string
	}{
		{args: nil, want: nil},
		{args: []string{"--health-cmd", "curl -f localhost || exit 1"},
			want: &engine.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost || exit 1"}}},
		{args: []string{"--health-cmd", "true", "--health-interval", "1s", "--health-timeout", "2s", "--health-retries", "4",
			"--health-start-period", "1m", "--health-start-interval", "100ms"},
			want: &engine.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Second, Timeout: 2 * time.Second,
				Retries: 4, StartPeriod: time.Minute, StartInterval: 100 * time.Millisecond}},
		// Timing alone keeps the image's command.
		{args: []string{"--health-interval", "5s"}, want: &engine.HealthConfig{Interval: 5 * time.Second}},
		{args: []string{"--no-healthcheck"}, want: &engine.HealthConfig{Test: []string{"NONE"}}},
		{args: []string{"--no-healthcheck", "--health-retries", "1"}, wantErr: "--no-healthcheck conflicts with --health-* options"},
		{args: []string{"--health-interval", "-1s"}, wantErr: "--health-interval cannot be negative"},
		{args: []string{"--health-timeout", "-1s"}, wantErr: "--health-timeout cannot be negative"},
		{args: []string{"--health-retries", "-1"}, wantErr: "--health-retries cannot be negative"},
		{args: []string{"--health-start-period", "-1s"}, wantErr: "--health-start-period cannot be negative"},
		{args: []string{"--health-start-interval", "-1s"}, wantErr: "--health-start-interval cannot be negative"},
	}
	for _, tt := range tests {
		got, _, err := parseRunFlags(t, cfg, hostFiles{}, append(tt.args, "busybox")...)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(got.Config.Healthcheck, tt.want) {
			t.Errorf("%q: Healthcheck %+v, want %+v", tt.args, got.Config.Healthcheck, tt.want)
		}
	}
}

func TestContainerStatusHealth(t *testing.T) {
	now := testNow
	up := now.Add(-5 * time.Second)
	tests := []struct {
		state engine.State
		want  string
	}{
		{engine.State{Status: "running", StartedAt: up, Health: &engine.Health{Status: "starting"}}, "Up 5 seconds (health: starting)"},
		{engine.State{Status: "running", StartedAt: up, Health: &engine.Health{Status: "healthy"}}, "Up 5 seconds (healthy)"},
		{engine.State{Status: "running", StartedAt: up, Health: &engine.Health{Status: "unhealthy"}}, "Up 5 seconds (unhealthy)"},
		{engine.State{Status: "paused", StartedAt: up, Health: &engine.Health{Status: "healthy"}}, "Up 5 seconds (Paused)"},
		{engine.State{Status: "exited", ExitCode: 0, StartedAt: up, FinishedAt: up, Health: &engine.Health{Status: "unhealthy"}}, "Exited (0) 5 seconds ago"},
	}
	for _, tt := range tests {
		if got := containerStatus(&tt.state, now); got != tt.want {
			t.Errorf("containerStatus(%+v) = %q, want %q", tt.state, got, tt.want)
		}
	}
}

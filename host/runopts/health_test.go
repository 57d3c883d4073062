package runopts

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
		got, _, err := parseRunFlags(t, cfg, HostFiles{}, append(tt.args, "busybox")...)
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

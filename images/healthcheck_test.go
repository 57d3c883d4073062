package images

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestHealthcheckInstructionForms(t *testing.T) {
	tests := []struct {
		line    string
		want    *Healthcheck
		wantErr string
	}{
		{line: `HEALTHCHECK NONE`, want: &Healthcheck{Test: []string{"NONE"}}},
		{line: `HEALTHCHECK CMD ["test", "-e", "/ok"]`, want: &Healthcheck{Test: []string{"CMD", "test", "-e", "/ok"}}},
		{line: `HEALTHCHECK --interval=1ms --timeout=2s --start-period=3s --start-interval=4s --retries=5 CMD true`,
			want: &Healthcheck{Test: []string{"CMD-SHELL", "true"}, Interval: time.Millisecond, Timeout: 2 * time.Second,
				StartPeriod: 3 * time.Second, StartInterval: 4 * time.Second, Retries: 5}},
		{line: `HEALTHCHECK --interval=0s CMD true`, want: &Healthcheck{Test: []string{"CMD-SHELL", "true"}}},
		{line: `HEALTHCHECK --interval=500us CMD true`, wantErr: `--interval 500us cannot be less than 1ms`},
		{line: `HEALTHCHECK --timeout=-1s CMD true`, wantErr: `invalid --timeout`},
		{line: `HEALTHCHECK --retries=-1 CMD true`, wantErr: `invalid --retries`},
	}
	for _, tt := range tests {
		res, err := parseDockerfileForTest(tt.line)
		if err != nil {
			t.Fatal(err)
		}
		var cfg ImageConfig
		err = newConfigState(&cfg, '\\').apply(res)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(cfg.Healthcheck, tt.want) {
			t.Errorf("%s: %+v, %v; want %+v", tt.line, cfg.Healthcheck, err, tt.want)
		}
	}
}

package host

import (
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 29, 18, 0, 0, 0, loc)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Time{}},
		{in: "10s", want: now.Add(-10 * time.Second)},
		{in: "5m", want: now.Add(-5 * time.Minute)},
		{in: "1h30m", want: now.Add(-90 * time.Minute)},
		{in: "1700000000", want: time.Unix(1700000000, 0)},
		{in: "1700000000.5", want: time.Unix(1700000000, 500000000)},
		{in: "0", want: time.Unix(0, 0)},
		{in: "2026-11-29T17:30:00Z", want: time.Date(2026, 11, 29, 17, 30, 0, 0, time.UTC)},
		{in: "2026-11-29T17:30:00.25Z", want: time.Date(2026, 11, 29, 17, 30, 0, 250000000, time.UTC)},
		{in: "2026-11-29T17:30:00+02:00", want: time.Date(2026, 11, 29, 15, 30, 0, 0, time.UTC)},
		{in: "2026-11-29T17:30Z", want: time.Date(2026, 11, 29, 17, 30, 0, 0, time.UTC)},
		{in: "2026-11-29T17:30:00", want: time.Date(2026, 11, 29, 17, 30, 0, 0, loc)},
		{in: "2026-11-29T17:30", want: time.Date(2026, 11, 29, 17, 30, 0, 0, loc)},
		{in: "2026-11-29T17", want: time.Date(2026, 11, 29, 17, 0, 0, 0, loc)},
		{in: "2026-11-29", want: time.Date(2026, 11, 29, 0, 0, 0, 0, loc)},
		{in: "2026-11-29T17:30:00.5", want: time.Date(2026, 11, 29, 17, 30, 0, 500000000, loc)},
		{in: "yesterday", wantErr: true},
		{in: "2026-13-01", wantErr: true},
		{in: "12.x", wantErr: true},
		{in: "-5m", wantErr: false, want: now.Add(5 * time.Minute)},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in, now)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseTimestamp(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

package api

import (
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Time{}},
		{in: "1700000000", want: time.Unix(1700000000, 0)},
		{in: "1700000000.5", want: time.Unix(1700000000, 500000000)},
		{in: "1700000000.000000001", want: time.Unix(1700000000, 1)},
		{in: "10m", want: now.Add(-10 * time.Minute)},
		{in: "2026-12-07T01:00:00Z", want: now.Add(-time.Hour)},
		{in: "1700000000.x", wantErr: true},
		{in: "yesterday", wantErr: true},
	} {
		got, err := parseTimestamp(tc.in, now)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseTimestamp(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && !got.Equal(tc.want) {
			t.Errorf("parseTimestamp(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

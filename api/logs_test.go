package api

import (
	"errors"
	"testing"
	"time"
)

func TestLogTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"0", time.Time{}},
		{"1700000000.5", time.Unix(1700000000, 500000000)},
	} {
		if got, err := logTime(tc.in); err != nil || !got.Equal(tc.want) {
			t.Errorf("logTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := logTime("yesterday"); err == nil || !errors.Is(err, errInvalidArgument) {
		t.Errorf("logTime(yesterday) = %v, want a bad request", err)
	}
}

func TestTailParam(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{{"", -1, false}, {"all", -1, false}, {"0", 0, false}, {"5", 5, false}, {"-1", -1, false}, {"x", 0, true}} {
		got, err := tailParam(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("tailParam(%q) = %d, %v; want %d (error: %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

package api

import (
	"testing"
	"time"
)

func TestUnixTimeParam(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{"", time.Time{}, false},
		{"0", time.Time{}, false},
		{"1700000000", time.Unix(1700000000, 0), false},
		{"1700000000.5", time.Unix(1700000000, 500000000), false},
		{"1700000000.000000001", time.Unix(1700000000, 1), false},
		{"1700000000.1234567891", time.Unix(1700000000, 123456789), false},
		{"10m", time.Time{}, true},
		{"1.x", time.Time{}, true},
	} {
		got, err := unixTimeParam("since", tc.in)
		if (err != nil) != tc.bad || !got.Equal(tc.want) {
			t.Errorf("unixTimeParam(%q) = %v, %v; want %v (error: %v)", tc.in, got, err, tc.want, tc.bad)
		}
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

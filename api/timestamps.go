package api

import (
	"strconv"
	"strings"
	"time"
)

// parseTimestamp reads a time as clients send it: Unix seconds with an
// optional fraction ("1700000000.000000001", what the docker CLI sends
// for events --since/--until), an RFC 3339 time, or a Go duration before
// now ("10m", what prune's until=10m means). "" is the zero time.
func parseTimestamp(value string, now time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(value); err == nil && value != "0" {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
		return t, nil
	}
	sec, frac, hasFrac := strings.Cut(value, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 9 || hasFrac && !allDigits(frac) {
		return time.Time{}, invalidf("failed to parse value as time or duration: %q", value)
	}
	var ns int64
	if hasFrac {
		ns, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	return time.Unix(s, ns), nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

package host

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTimestamp is docker's --since/--until: a Go duration before now
// ("10s", "1h30m"), Unix seconds with optional fraction ("1700000000.5"),
// or an RFC 3339 date or time, with or without a zone (without: local
// time), to the day, hour, minute, second or nanosecond. "" is the zero time.
func ParseTimestamp(value string, now time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(value); value != "0" && err == nil {
		return now.Add(-d), nil
	}
	if !strings.Contains(value, "-") {
		sec, frac, hasFrac := strings.Cut(value, ".")
		s, err := strconv.ParseInt(sec, 10, 64)
		if err != nil || (hasFrac && !isDigits(frac)) || len(frac) > 9 {
			return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", value)
		}
		var ns int64
		if hasFrac {
			ns, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		}
		return time.Unix(s, ns), nil
	}
	inLocation := !strings.ContainsAny(value, "zZ+") && strings.Count(value, "-") != 3
	var format string
	switch {
	case strings.Contains(value, "."):
		format = "2006-01-02T15:04:05.999999999"
	case strings.Contains(value, "T"):
		colons := strings.Count(value, ":")
		if !inLocation && !strings.ContainsAny(value, "zZ") && colons > 0 {
			colons-- // the zone offset's colon
		}
		format = [...]string{"2006-01-02T15", "2006-01-02T15:04", "2006-01-02T15:04:05"}[min(colons, 2)]
	default:
		format = "2006-01-02"
	}
	if inLocation {
		return time.ParseInLocation(format, value, now.Location())
	}
	return time.Parse(format+"Z07:00", value)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

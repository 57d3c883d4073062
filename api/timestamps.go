package api

import (
	"time"

	"berth/host"
)

// parseTime reads a time as clients send it (host.ParseTimestamp: Unix
// seconds with a fraction, as the docker CLI sends events --since, an RFC
// 3339 time, or a duration before now, as prune's until=10m); a bad one is
// the client's error.
func parseTime(value string, now time.Time) (time.Time, error) {
	t, err := host.ParseTimestamp(value, now)
	if err != nil {
		return time.Time{}, invalidf("%v", err)
	}
	return t, nil
}

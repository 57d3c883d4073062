package filters

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// ParseJSON reads filters as the Docker Engine API carries them in a
// query's filters parameter: {"status":{"exited":true}} (every client
// since API 1.22) or the older {"status":["exited"]}. "" is no filter.
func ParseJSON(s string) (Args, error) {
	args := Args{}
	if s == "" {
		return args, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("invalid filters %q: %w", s, err)
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		var set map[string]bool
		if err := json.Unmarshal(raw[key], &set); err == nil {
			for _, v := range slices.Sorted(maps.Keys(set)) {
				if set[v] {
					args.Add(key, v)
				}
			}
			continue
		}
		var list []string
		if err := json.Unmarshal(raw[key], &list); err != nil {
			return nil, fmt.Errorf("invalid filter %q: want an object of values or a list of them", key)
		}
		for _, v := range list {
			args.Add(key, v)
		}
	}
	return args, nil
}

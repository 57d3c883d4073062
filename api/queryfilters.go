package api

import (
	"encoding/json"
	"net/http"
	"strings"

	filterArgs "berth/internal/filters"
)

// queryFilters reads a request's "filters" parameter, docker's JSON of
// key → {value: true} (or the older key → [value…]), into the filter
// language the CLI uses; an absent parameter is no filter.
func queryFilters(r *http.Request) (filterArgs.Args, error) {
	args := filterArgs.Args{}
	raw := r.URL.Query().Get("filters")
	if raw == "" {
		return args, nil
	}
	var byKey map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &byKey); err != nil {
		return nil, invalidf("invalid filters %q: %v", raw, err)
	}
	for key, val := range byKey {
		var set map[string]bool
		if err := json.Unmarshal(val, &set); err == nil {
			for v, on := range set {
				if on {
					args.Add(key, v)
				}
			}
			continue
		}
		var list []string
		if err := json.Unmarshal(val, &list); err != nil {
			return nil, invalidf("invalid filter %q: want a map or a list of values", key)
		}
		for _, v := range list {
			args.Add(key, v)
		}
	}
	return args, nil
}

// queryBool is a boolean query parameter as dockerd reads it: absent,
// "", "0", "no", "false" and "none" are false in any case (docker-py
// sends "False"), anything else true.
func queryBool(r *http.Request, key string) bool {
	switch strings.ToLower(strings.TrimSpace(r.URL.Query().Get(key))) {
	case "", "0", "no", "false", "none":
		return false
	}
	return true
}

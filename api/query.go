package api

import (
	"net/http"
	"strconv"
	"strings"

	"berth/internal/filters"
)

// Query parameters as dockerd reads them.

// queryBool is docker's boolean parameter: anything but "", "0", "no",
// "false" and "none" (any case) is true.
func queryBool(r *http.Request, key string) bool {
	switch strings.ToLower(strings.TrimSpace(r.URL.Query().Get(key))) {
	case "", "0", "no", "false", "none":
		return false
	}
	return true
}

// queryInt is an integer parameter; ok is false when it is absent.
func queryInt(r *http.Request, key string) (n int, ok bool, err error) {
	s := r.URL.Query().Get(key)
	if s == "" {
		return 0, false, nil
	}
	n, err = strconv.Atoi(s)
	if err != nil {
		return 0, false, invalidf("invalid value for %s: %q is not an integer", key, s)
	}
	return n, true, nil
}

// queryFilters is the filters parameter, docker's JSON of key → values.
func queryFilters(r *http.Request) (filters.Args, error) {
	args, err := filters.ParseJSON(r.URL.Query().Get("filters"))
	if err != nil {
		return nil, invalidf("%v", err)
	}
	return args, nil
}

package api

import (
	"net/http"
	"strconv"
)

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

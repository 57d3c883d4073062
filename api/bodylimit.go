package api

import "net/http"

// maxObjectBody bounds the JSON body of a network or volume request: a
// hostile client cannot make the server hold more than this.
const maxObjectBody = 1 << 20

// readObjectJSON is readJSON on a body cut at maxObjectBody.
func readObjectJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxObjectBody)
	return readJSON(r, v)
}

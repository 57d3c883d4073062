package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"berth/engine"
	"berth/images"
)

// Errors of the server's own, for what the engine and the image store do
// not say themselves.
var (
	errInvalidArgument = errors.New("invalid argument")
	errNotFound        = errors.New("not found")
	errConflict        = errors.New("conflict")
)

// kindError is an error with the message it was made with and the kind
// (one of the errors above) that decides its status code.
type kindError struct {
	err  error
	kind error
}

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.err, e.kind} }

// invalidf is a bad request: what the client sent is wrong.
func invalidf(format string, a ...any) error {
	return kindError{fmt.Errorf(format, a...), errInvalidArgument}
}

// notFoundf is a request for something that does not exist.
func notFoundf(format string, a ...any) error {
	return kindError{fmt.Errorf(format, a...), errNotFound}
}

// conflictf is a request the object's state does not allow.
func conflictf(format string, a ...any) error {
	return kindError{fmt.Errorf(format, a...), errConflict}
}

// statusOf is the HTTP status docker answers an error of this kind with.
func statusOf(err error) int {
	switch {
	case errors.Is(err, engine.ErrNotFound), errors.Is(err, images.ErrNotFound), errors.Is(err, errNotFound):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrNameInUse), errors.Is(err, engine.ErrRunning), errors.Is(err, engine.ErrPaused),
		errors.Is(err, engine.ErrNotPaused), errors.Is(err, engine.ErrRemoving), errors.Is(err, engine.ErrNotRunning),
		errors.Is(err, images.ErrInUse), errors.Is(err, images.ErrConflict), errors.Is(err, errConflict):
		return http.StatusConflict
	case errors.Is(err, engine.ErrInvalidArgument), errors.Is(err, engine.ErrInvalidName), errors.Is(err, engine.ErrAmbiguous),
		errors.Is(err, images.ErrInvalidReference), errors.Is(err, images.ErrAmbiguous), errors.Is(err, errInvalidArgument):
		return http.StatusBadRequest
	case errors.Is(err, images.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, engine.ErrNotImplemented):
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

// writeError answers with docker's error body.
func writeError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOf(err))
	_ = json.NewEncoder(w).Encode(struct {
		Message string `json:"message"`
	}{err.Error()})
}

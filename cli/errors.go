package cli

import (
	"errors"
	"fmt"
	"strings"

	"berth/engine"
)

// Exit codes, as `docker run` uses them.
const (
	exitOK      = 0
	exitFailure = 1   // a command other than run/create failed (docker's 1)
	exitUsage   = 64  // a template that does not parse in inspect, version, events (docker's)
	exitBerth   = 125 // berth's own error: bad flag, unknown image, name in use…
)

var (
	errNeedsRoot = errors.New("berth needs root (rootless is not supported yet)")
	// errSomeFailed ends a command that acted on several objects and
	// reported each failure already.
	errSomeFailed = errors.New("some operations failed")
)

// statusError is an error that ends berth with a given exit code. helpFor,
// when set, is the command path whose --help the message points to.
// A nil err exits silently with code (a container's exit code).
type statusError struct {
	err     error
	code    int
	helpFor string
}

func (e *statusError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *statusError) Unwrap() error { return e.err }

// exitCode maps an error returned by a command to berth's exit code:
// a statusError's code, else an engine.ExitError's (126 for a command
// that is not executable, 127 for one not found), else 1.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var s *statusError
	if errors.As(err, &s) {
		return s.code
	}
	var ee *engine.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return exitFailure
}

// runError marks an error of run or create as berth's own (125) unless it
// carries the container's code (126/127), and points to the command's help
// as docker does.
func runError(cmdPath string, err error) error {
	if err == nil {
		return nil
	}
	var s *statusError
	if errors.As(err, &s) {
		return err
	}
	code := exitBerth
	var ee *engine.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	}
	return &statusError{err: err, code: code, helpFor: cmdPath}
}

// usageError is a bad flag or argument: exit 125 with a pointer to --help.
// An error that carries its own exit code already (a --format that does
// not parse) keeps it.
func usageError(cmdPath string, err error) error {
	var s *statusError
	if errors.As(err, &s) {
		return err
	}
	return &statusError{err: err, code: exitBerth, helpFor: cmdPath}
}

// exitStatus ends berth silently with a container's exit code.
func exitStatus(code int) error {
	if code == 0 {
		return nil
	}
	return &statusError{code: code}
}

// errorMessage is how Main prints an error: "berth: <error>." and, for
// usage errors, "See 'berth run --help'.". Silent errors print nothing.
func errorMessage(err error) string {
	var s *statusError
	if err == nil || errors.As(err, &s) && s.err == nil || errors.Is(err, errSomeFailed) {
		return ""
	}
	msg := "berth: " + err.Error()
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	if errors.As(err, &s) && s.helpFor != "" {
		msg += "\nSee '" + s.helpFor + " --help'."
	}
	return msg + "\n"
}

package cli

import "errors"

// daemonError is an error of create that docker's daemon would report:
// the engine refused the container (a name in use, no such image, a
// setting it checks), the image could not be pulled, the --cidfile could
// not be made or written, and the few checks berth's CLI makes that
// docker's leaves to its daemon (-v and --tmpfs specifications, the memory
// limits). What the CLI finds wrong while parsing flags is not one. `docker create` exits 1 for a daemon's error and 125 for its
// own; `docker run` exits 125 for both (runError).
type daemonError struct{ err error }

func (e *daemonError) Error() string { return e.err.Error() }

func (e *daemonError) Unwrap() error { return e.err }

// daemonSide marks err, when there is one, as the daemon's.
func daemonSide(err error) error {
	if err == nil {
		return nil
	}
	return &daemonError{err: err}
}

// createError is runError for `berth create`: a daemon's error exits 1,
// without a pointer to --help (docker returns it as it came); an error
// with its own code keeps it; anything else is berth's own (125).
func createError(cmdPath string, err error) error {
	var s *statusError
	if errors.As(err, &s) {
		return err
	}
	var d *daemonError
	if errors.As(err, &d) {
		return &statusError{err: err, code: exitFailure}
	}
	return runError(cmdPath, err)
}

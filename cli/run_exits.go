package cli

import (
	"errors"

	"berth/host/runopts"
)

// createError is runError for `berth create`: a daemon's error exits 1,
// without a pointer to --help (docker returns it as it came); an error
// with its own code keeps it; anything else is berth's own (125).
func createError(cmdPath string, err error) error {
	var s *statusError
	if errors.As(err, &s) {
		return err
	}
	var d *runopts.DaemonError
	if errors.As(err, &d) {
		return &statusError{err: err, code: exitFailure}
	}
	return runError(cmdPath, err)
}

package runopts

// DaemonError is an error of create that docker's daemon would report:
// the engine refused the container (a name in use, no such image, a
// setting it checks), the image could not be pulled, the --cidfile could
// not be made or written, and the few checks berth's CLI makes that
// docker's leaves to its daemon (-v and --tmpfs specifications, the memory
// limits). What the CLI finds wrong while parsing flags is not one.
// `docker create` exits 1 for a daemon's error and 125 for its own;
// `docker run` exits 125 for both (the CLI's runError), and the API
// server answers a daemon's error with the status of the error inside.
type DaemonError struct{ err error }

func (e *DaemonError) Error() string { return e.err.Error() }

func (e *DaemonError) Unwrap() error { return e.err }

// DaemonSide marks err, when there is one, as the daemon's.
func DaemonSide(err error) error {
	if err == nil {
		return nil
	}
	return &DaemonError{err: err}
}

package engine

import (
	"errors"
	"fmt"
)

// Sentinel errors; check them with errors.Is.
var (
	ErrNotImplemented = errors.New("not implemented")
	ErrNotFound       = errors.New("no such container")
	ErrAmbiguous      = errors.New("multiple containers match")
	ErrNameInUse      = errors.New("name already in use")
	ErrInvalidName    = errors.New("invalid container name")
	ErrNotRunning     = errors.New("container is not running")
	ErrRunning        = errors.New("container is running")
	ErrPaused         = errors.New("container is paused")
	ErrNotPaused      = errors.New("container is not paused")
	ErrRemoving       = errors.New("container is being removed")
	// ErrInvalidTransition is an event that cannot happen in the
	// container's state (see state.go).
	ErrInvalidTransition = errors.New("invalid container state transition")
	ErrInvalidArgument   = errors.New("invalid argument")
	ErrShimStart         = errors.New("shim did not start")
	// ErrDamaged means a container's record cannot be read (truncated,
	// garbled, unreadable): the container is listed as dead and can only
	// be removed.
	ErrDamaged = errors.New("container record cannot be read")
	ErrNoSpace = errors.New("no space left on device")
)

// ExitError is an error that decides the CLI's exit code, as `docker run`
// does: 125 for berth's own failures, 126 when the command cannot be
// executed, 127 when it is not found.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// StepExitError is a build step whose command exited non-zero; docker
// build (its classic builder, docker 20.10's default) exits with Code.
type StepExitError struct{ Code int }

func (e *StepExitError) Error() string { return fmt.Sprintf("returned a non-zero code: %d", e.Code) }

// ExitCode is the docker-style exit code for err: the code of an ExitError
// in its chain, else 125.
func ExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 125
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...)
}

// nameInUseError is a container name another container holds, in docker's
// words; it is ErrNameInUse.
type nameInUseError struct{ name, owner string }

func (e *nameInUseError) Error() string {
	return fmt.Sprintf("Conflict. The container name %q is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.", e.name, e.owner)
}

func (e *nameInUseError) Is(target error) bool { return target == ErrNameInUse }

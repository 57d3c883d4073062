package nsenter

import "errors"

var (
	// ErrNotFound: the command does not exist in the container (docker
	// exec's exit code is 126 for it, as for any command that did not start).
	ErrNotFound = errors.New("executable file not found")
	// ErrNotExecutable: the command exists but cannot be executed (126).
	ErrNotExecutable = errors.New("permission denied or not executable")
	// ErrEnter: joining the container or preparing the process failed
	// (berth's own error, 125).
	ErrEnter = errors.New("cannot enter container")
	// ErrCwdOutside: the working directory asked for leads out of the
	// container's root (runc's words, as docker exec prints them).
	ErrCwdOutside = errors.New("current working directory is outside of container mount namespace root -- possible container breakout detected")
	// ErrUnknownCapability is returned for a capability name not in
	// linux/capability.h.
	ErrUnknownCapability = errors.New("unknown capability")
)

// childError is a failure the entered process reported: its own message,
// matched with errors.Is against the sentinel of its kind.
type childError struct {
	kind error
	msg  string
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.kind }

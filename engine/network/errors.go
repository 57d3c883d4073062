package network

import "errors"

// Sentinel errors; check them with errors.Is.
var (
	ErrNotFound      = errors.New("network not found")
	ErrAmbiguous     = errors.New("multiple networks match")
	ErrExists        = errors.New("network already exists")
	ErrInUse         = errors.New("network has active endpoints")
	ErrPredefined    = errors.New("pre-defined network cannot be removed")
	ErrInvalidConfig = errors.New("invalid network config")
	ErrOverlap       = errors.New("subnet overlaps with another one")
	ErrNoAddress     = errors.New("no free address in the subnet")
	ErrAddressInUse  = errors.New("address already in use")
	ErrAttached      = errors.New("container already attached to the network")
	ErrNotBridge     = errors.New("network cannot have endpoints")
	ErrInvalidPort   = errors.New("invalid port binding")
	ErrPortInUse     = errors.New("port is already allocated")
	ErrNoFreePort    = errors.New("no free port in the range")
	// ErrConflict is a bridge or a subnet that another data root, or an
	// interface of the host, holds.
	ErrConflict = errors.New("held by another data root or interface")
)

// conflictError is an ErrConflict whose message says who holds what, and
// which setting to change.
type conflictError struct{ msg string }

func (e *conflictError) Error() string        { return e.msg }
func (e *conflictError) Is(target error) bool { return target == ErrConflict }

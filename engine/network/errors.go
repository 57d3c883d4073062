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
)

package ptyexec

import "errors"

var (
	// ErrFrameTooLarge is returned when a frame's payload exceeds MaxFramePayload.
	ErrFrameTooLarge = errors.New("frame too large")
	// ErrBadFrame is returned for a frame whose type or payload is malformed.
	ErrBadFrame = errors.New("malformed frame")
	// ErrBadRequest is returned when the opening request is missing or invalid.
	ErrBadRequest = errors.New("invalid attach request")
	// ErrInvalidDetachKeys is returned by ParseDetachKeys for a bad key list.
	ErrInvalidDetachKeys = errors.New("invalid detach keys")
	// ErrDetached is returned by a detach-key reader once the keys were typed.
	ErrDetached = errors.New("detached")
	// ErrConnectionLost is returned by Attach when the server went away
	// without sending an exit frame.
	ErrConnectionLost = errors.New("attach connection lost")
	// ErrInterrupted is returned by Attach when berth itself got SIGINT,
	// SIGTERM or SIGHUP and no signal handler was given.
	ErrInterrupted = errors.New("interrupted")
	// ErrRemote wraps an error frame sent by the server.
	ErrRemote = errors.New("attach server error")
	// ErrNotPTMX is returned by OpenPTYIn when dev/ptmx is not the ptmx device.
	ErrNotPTMX = errors.New("dev/ptmx is not a ptmx device")
	// ErrHubClosed is returned when a client attaches to a closed hub.
	ErrHubClosed = errors.New("hub closed")
)

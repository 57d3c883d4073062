package events

import "errors"

var (
	// ErrInvalidEvent is returned by Append for an event without a type
	// or action.
	ErrInvalidEvent = errors.New("invalid event")
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("event log closed")
	// ErrLost is returned by Since when the events after a position
	// can no longer all be read.
	ErrLost = errors.New("events since the position are lost")
)

package config

import "errors"

var (
	// ErrUnknownKey: the file names a key berth does not know.
	ErrUnknownKey = errors.New("unknown key")
	// ErrInvalidValue: a key has a value of the wrong type or out of range.
	ErrInvalidValue = errors.New("invalid value")
)

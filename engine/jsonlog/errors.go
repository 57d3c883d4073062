package jsonlog

import "errors"

var (
	// ErrClosed is returned by writes to a Writer after Close.
	ErrClosed = errors.New("log writer closed")
	// ErrBadOption is wrapped by ParseSize, ParseMaxFile and ParseOptions.
	ErrBadOption = errors.New("invalid log option")
	// ErrPositionGone means the file a Position points into has been
	// rotated out of existence.
	ErrPositionGone = errors.New("log position no longer exists")
	// ErrBadEntry is wrapped when a log line is not a json-file entry.
	ErrBadEntry = errors.New("malformed log entry")

	// errUntil stops a read at the first entry past ReadOptions.Until.
	errUntil = errors.New("past until")
)

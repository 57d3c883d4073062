package ui

import "errors"

var (
	// ErrUnknownBinding: a keys file names a binding that does not exist.
	ErrUnknownBinding = errors.New("unknown key binding")
	// ErrBadKeys: a keys file's value is neither a key nor a list of keys.
	ErrBadKeys = errors.New("bad keys")
	// ErrKeyConflict: a keys file binds a key another binding takes on
	// the same screen (the rebinding is refused).
	ErrKeyConflict = errors.New("key conflict")
	// ErrUnsupported: the backend cannot do this (yet).
	ErrUnsupported = errors.New("not supported by this backend")
	// ErrBusy: the same kind of work is already under way.
	ErrBusy = errors.New("another one is under way")
	// ErrBadInput: a form field does not parse.
	ErrBadInput = errors.New("bad input")
	// ErrNoHost: the program was given no host to show.
	ErrNoHost = errors.New("no host to show")
	// ErrNoComposeFile: a compose project's containers do not say where
	// its compose file is, so it cannot be brought up again.
	ErrNoComposeFile = errors.New("its containers do not name its compose file")
	// ErrNoHandover: an action still running cannot be handed to berth's
	// CLI when the program quits (a backend that cannot start it).
	ErrNoHandover = errors.New("cannot be finished after the program quits")
	// ErrUnknownAction: a container action the program does not know.
	ErrUnknownAction = errors.New("unknown action")
	// ErrBadTheme: the forced theme (BERTH_THEME) is not light, dark or
	// auto.
	ErrBadTheme = errors.New("unknown theme")
)

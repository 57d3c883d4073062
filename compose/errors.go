package compose

import "fmt"

// Failure is an error of one of the kinds Docker Compose gives an exit
// code of its own: a project that cannot be parsed (15), an image that
// cannot be built (17) or pulled (18). ErrNoFile is its 14.
type Failure struct {
	Kind FailureKind
	Err  error
}

// FailureKind is what failed.
type FailureKind int

// The kinds of Failure.
const (
	ParseFailure FailureKind = iota
	BuildFailure
	PullFailure
)

func (f *Failure) Error() string { return f.Err.Error() }

func (f *Failure) Unwrap() error { return f.Err }

// failure wraps err as a Failure of kind, with a message made from
// format and args when format is not "".
func failure(kind FailureKind, err error, format string, args ...any) error {
	if format != "" {
		err = fmt.Errorf(format, append(args, err)...)
	}
	return &Failure{Kind: kind, Err: err}
}

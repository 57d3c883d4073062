// Package lazyregexp compiles a package's regular expressions at their
// first use instead of at every start of the binary: every berth process
// (each CLI command, the TUI, every shim) initialises every package, and
// most never use most patterns. It is the standard library's
// internal/lazyregexp made public in its simplest form.
package lazyregexp

import (
	"regexp"
	"sync"
)

// New returns expr's regexp, compiled on the first call; expr must be
// valid, as for regexp.MustCompile (a bad one panics at that first call).
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

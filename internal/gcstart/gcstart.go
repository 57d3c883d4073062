// Package gcstart keeps the garbage collector out of a short berth
// process's way. A berth command that lists, execs or starts a container
// runs for a few tens of milliseconds and allocates a few megabytes
// (3 MB of them in the packages' initialisation): its heap crosses the
// collector's first goal of 4 MB, and a collection or two cost about a
// tenth of its CPU for memory the exit gives back anyway. A binary that
// imports this package has the collector off for the first moments of
// each process, under a ceiling that brings it back early if the heap
// grows large; a process that lives longer (the TUI, a server, a follow,
// a shim) then collects as usual, or as it chose meanwhile.
package gcstart

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// Window is how long the collector is held, and Ceiling the memory (the
// heap and the runtime's own) at which it runs all the same.
const (
	Window  = 200 * time.Millisecond
	Ceiling = 64 << 20
)

// This package needs only a few of the standard library's, so Go
// initialises it before nearly every other package of berth's: the
// collection their initialisation would start is held too.
func init() { hold() }

var release sync.Once

// hold turns the collector off until Window has passed, with Ceiling
// as its limit meanwhile. It does nothing when GOGC or GOMEMLIMIT is
// set: the user's choice stands.
func hold() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		release.Do(func() {})
		return
	}
	debug.SetMemoryLimit(Ceiling)
	debug.SetGCPercent(-1)
	time.AfterFunc(Window, func() { release.Do(restore) })
}

// restore gives the collector its defaults back: GOGC=100, no limit. A
// process that chose its own GOGC while the collector was held (the TUI
// does, as it starts) keeps it.
func restore() {
	if percent := debug.SetGCPercent(100); percent != -1 {
		debug.SetGCPercent(percent)
	}
	debug.SetMemoryLimit(math.MaxInt64)
}

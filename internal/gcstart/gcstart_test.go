package gcstart

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
	"time"
)

// settings reads the collector's settings without changing them.
func settings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// The test binary imports the package too: its collector was held from
// the start and comes back within the window.
func TestHeldThenRestored(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: the collector is left as they say")
	}
	deadline := time.Now().Add(10 * Window)
	for {
		p, l := settings()
		if p == 100 && l == math.MaxInt64 {
			return
		}
		if p != -1 || l != Ceiling {
			t.Fatalf("while held: GOGC %d, limit %d; want off under %d", p, l, Ceiling)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after the start the collector is still held", 10*Window)
		}
		time.Sleep(Window / 20)
	}
}

// A process that sets its own GOGC while the collector is held keeps it
// when the hold ends (the TUI sets 50 as it starts, within the window).
func TestOwnSettingOutlivesTheHold(t *testing.T) {
	p0, l0 := settings()
	t.Cleanup(func() {
		debug.SetGCPercent(p0)
		debug.SetMemoryLimit(l0)
	})
	debug.SetMemoryLimit(Ceiling) // held, as hold leaves it
	debug.SetGCPercent(50)        // the process's own
	restore()
	if p, l := settings(); p != 50 || l != math.MaxInt64 {
		t.Errorf("after the hold: GOGC %d, limit %d; want the process's own 50, no limit", p, l)
	}
}

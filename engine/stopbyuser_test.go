package engine

import (
	"testing"
	"time"
)

// A stop reaches the shim through its monitor alone when the disk is too
// full for the record: the shim must remember it, whenever it looks, and
// end a restart back-off at once.
func TestShimRemembersAStopByUser(t *testing.T) {
	s := &shim{wake: make(chan struct{}, 1)}
	if s.stopRequested() {
		t.Fatal("stop requested before any was")
	}
	s.requestStop()
	s.requestStop() // a second stop does not block
	if !s.stopRequested() || !s.stopRequested() {
		t.Fatal("stop not remembered")
	}

	s = &shim{wake: make(chan struct{}, 1)}
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.requestStop()
	}()
	start := time.Now()
	if s.sleepBeforeRestart(time.Minute) {
		t.Fatal("restart after a stop during the back-off")
	}
	if d := time.Since(start); d > 10*time.Second || !s.stopRequested() {
		t.Fatalf("back-off ended after %v, stop remembered: %v", d, s.stopRequested())
	}
}

package ui

import (
	"testing"
)

// TestBuildBarIgnoresStepLinesPrintedByRUN: the bar follows the steps
// the backend reports; a RUN that prints "STEP 9/9:" leaves it alone.
func TestBuildBarIgnoresStepLinesPrintedByRUN(t *testing.T) {
	b := demoBackend()
	b.buildGate = make(chan struct{})
	b.buildSays = []string{"STEP 9/9: printed by the RUN step"}
	m := newTestModel(t, b)
	m = press(t, m, "tab", "B")
	m = typeText(t, m, "app:1")
	m = press(t, m, "enter")
	m = settleLate(t, m)
	if m.images.build == nil {
		t.Fatal("no build under way")
	}
	if bm := m.images.build; !bm.running || bm.step != 2 || bm.steps != 3 || bm.stepsDone() != 1 {
		t.Errorf("the bar at step %d/%d with %d done, want 2/3 with 1 (running %v)", bm.step, bm.steps, bm.stepsDone(), bm.running)
	}
	close(b.buildGate)
	m = settleLate(t, m)
	if bm := m.images.build; bm.running || bm.step != 3 || bm.steps != 3 || bm.stepsDone() != 3 {
		t.Errorf("the finished build at step %d/%d with %d done (running %v)", bm.step, bm.steps, bm.stepsDone(), bm.running)
	}
}

package ui

import (
	"os"
	"testing"

	"berth/engine/containerinit"
)

// TestMain lets the test binary be a container's init: the engine's
// build steps re-execute the running binary (/proc/self/exe) for each
// RUN, which in these tests is this one.
func TestMain(m *testing.M) {
	if containerinit.IsInit() {
		containerinit.Main()
	}
	os.Exit(m.Run())
}

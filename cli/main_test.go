package cli

import (
	"os"
	"testing"

	"berth/engine"
	"berth/engine/containerinit"
)

// TestMain lets the test binary be re-executed as a container's shim and
// init, as berth's own binary is, for the real-container tests.
func TestMain(m *testing.M) {
	if containerinit.IsInit() {
		containerinit.Main()
	}
	if engine.IsShim() {
		engine.ShimMain()
	}
	os.Exit(m.Run())
}

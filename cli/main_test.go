package cli

import (
	"os"
	"testing"

	"berth/engine"
)

// TestMain lets the test binary be re-executed as a container's shim, as
// berth's own binary is, for the real-container tests (a container's init
// is dispatched by the containerinit package itself).
func TestMain(m *testing.M) {
	if engine.IsShim() {
		engine.ShimMain()
	}
	os.Exit(m.Run())
}

package ptyexec

import (
	"os"
	"testing"
)

// helperEnv names the helper a re-executed test binary runs instead of the
// tests: tests of processes re-run the test binary itself.
const helperEnv = "BERTH_PTYEXEC_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "attach":
		os.Exit(attachHelper())
	case "session":
		os.Exit(sessionHelper())
	}
	os.Exit(m.Run())
}

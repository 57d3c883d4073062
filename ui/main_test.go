package ui

import (
	"context"
	"fmt"
	"os"
	"testing"

	"berth/engine"
	"berth/engine/containerinit"
)

// TestMain lets the test binary be re-executed as a container's shim and
// init (as berth's binary is) and as the TUI of the end-to-end tests.
func TestMain(m *testing.M) {
	if containerinit.IsInit() {
		containerinit.Main()
	}
	if engine.IsShim() {
		engine.ShimMain()
	}
	if os.Getenv(e2eChildEnv) != "" {
		os.Exit(e2eChild())
	}
	os.Exit(m.Run())
}

// The end-to-end test drives the real TUI over the real engine in tmux:
// the test binary re-executed with e2eChildEnv set is the program, its
// containers real ones (their shims the test binary too), capture-pane
// the oracle.
const e2eChildEnv = "BERTH_UI_E2E_CHILD"

// e2eChild runs the TUI on the roots the parent test passed in the
// environment.
func e2eChild() int {
	e, err := engine.New(engine.Options{
		Root: os.Getenv("BERTH_ROOT"), RunRoot: os.Getenv("BERTH_RUN_ROOT"),
		CgroupRoot: "/sys/fs/cgroup", CgroupParent: os.Getenv("BERTH_CGROUP_PARENT"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := Run(context.Background(), NewEngineBackend(e), Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShimHoldsNoSealedCopy: a shim seals berth for each start of its
// container and lets the copy go once the container's init runs. Kept for
// the container's life, it held a detached overlay mount per container,
// or where berth must be copied into a memfd (no overlay, no new mount
// API, a binary replaced on disk, a run root inside the binary's
// directory) the binary's whole size in memory per container: 500
// containers of the TUI's benchmark took 20 GB. A restart seals anew.
func TestShimHoldsNoSealedCopy(t *testing.T) {
	e := newBerthEnv(t)
	binary, err := os.Stat(e.bin)
	if err != nil {
		t.Fatal(err)
	}
	// It exits after a second and is started again, and again.
	e.must("run", "-d", "--name", "idle", "--restart", "always", "--network", "none", "busybox", "sleep", "1")
	id := strings.TrimSpace(e.must("inspect", "--format", "{{.Id}}", "idle"))
	check := func(when string) {
		t.Helper()
		shim := shimPID(t, e, id)
		fds := fmt.Sprintf("/proc/%d/fd", shim)
		ents, err := os.ReadDir(fds)
		if err != nil {
			t.Fatal(err)
		}
		for _, ent := range ents {
			fi, err := os.Stat(filepath.Join(fds, ent.Name()))
			if err != nil || !fi.Mode().IsRegular() || fi.Size() != binary.Size() {
				continue
			}
			target, _ := os.Readlink(filepath.Join(fds, ent.Name()))
			t.Errorf("%s, the shim holds fd %s -> %s, a copy of berth (%d bytes)", when, ent.Name(), target, fi.Size())
		}
	}
	check("after the first start")
	// The record says running only after the start has let its copy go.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		state := strings.Fields(e.must("inspect", "--format", "{{.RestartCount}} {{.State.Running}}", "idle"))
		if len(state) == 2 && state[0] != "0" && state[1] == "true" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not running again after a restart within 30 s: %v", state)
		}
	}
	check("after a restart")
}

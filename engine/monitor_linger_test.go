package engine

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A monitor whose last container ended waits monitorLinger for the next
// start, which joins it instead of starting a process of its own; then
// it ends, its socket gone.
func TestMonitorLingersForTheNextStart(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	if _, _, code := run(t, e, "true"); code != 0 {
		t.Fatalf("run true: exit %d", code)
	}
	socks, err := filepath.Glob(filepath.Join(e.monitorDir(), "*.sock"))
	if err != nil || len(socks) != 1 {
		t.Fatalf("monitors listening after the container ended: %v %v, want one", socks, err)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(socks[0]), ".sock"))
	if err != nil {
		t.Fatal(err)
	}
	start := processStartTime(pid)
	if start == 0 {
		t.Fatalf("monitor %d is gone while its socket is there", pid)
	}

	began := time.Now()
	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"sleep", "1000"}}})
	if err := e.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.load(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(began) < monitorLinger && (r.ShimPID != pid || r.ShimStart != start) {
		t.Errorf("the start within the linger went to monitor %d, not the lingering %d", r.ShimPID, pid)
	}
	if err := e.Remove(ctx, c.ID, RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the idle monitor to end", func() bool { return processStartTime(pid) != start })
	if socks, _ := filepath.Glob(filepath.Join(e.monitorDir(), "*.sock")); len(socks) > 0 {
		t.Errorf("sockets left after the monitor ended: %v", socks)
	}
}

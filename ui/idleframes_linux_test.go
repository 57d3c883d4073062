package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"berth/engine"
)

// TestIdleFramesWriteOnlyChanges runs the program on a 100x30 terminal
// over 100 idle containers: the first frame is written whole, and the
// frames of the refreshes after it only what changed (Bubble Tea's
// renderer diffs cells), not the screen again.
func TestIdleFramesWriteOnlyChanges(t *testing.T) {
	be := demoBackend()
	be.containers, be.stats = nil, map[string]*engine.Stats{}
	for i := range 100 {
		cid := fmt.Sprintf("%064x", i+1)
		be.containers = append(be.containers, &engine.Container{
			ID: cid, Name: fmt.Sprintf("/service_%03d", i), Path: "sleep",
			Config: engine.ContainerConfig{Image: "busybox:latest"},
			State:  engine.State{Status: engine.StatusRunning, StartedAt: testNow.Add(-time.Hour)},
		})
		be.stats[cid] = &engine.Stats{ID: cid, Time: testNow, MemoryUsage: 1 << 20, MemoryLimit: 2 << 30, PidsCurrent: 1}
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 100, Rows: 30}); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	// The input is the tty behind a plain reader: Bubble Tea then reads
	// it without cancelreader's epoll, whose Close and wait touch the same
	// files without a lock (a data race at every shutdown with a read in
	// flight, which CI caught under load; upstream, not berth's). Only
	// the output matters here.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, oneHost(be), Options{Interval: 20 * time.Millisecond, Now: func() time.Time { return testNow },
			Input: struct{ io.Reader }{tty}, Output: tty, NoColor: true, NoMouse: true})
	}()
	// Lists, not time, say how far the program is: the screen is
	// drawn a frame after its first list (and the host's sample), its
	// rows' stats come with the list right after (firstListed).
	lists := func() int {
		be.mu.Lock()
		defer be.mu.Unlock()
		return be.listCalls
	}
	waitLists := func(n int) {
		for lists() < n {
			select {
			case err := <-done:
				t.Fatalf("the program ended: %v", err)
			case <-time.After(time.Millisecond):
			}
		}
	}
	waitLists(6)
	first := written.Load()
	waitLists(56)
	idle := written.Load() - first
	cancel()
	// The terminal hangs up, which ends the read in flight.
	_ = ptmx.Close()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("run: %v", err)
	}
	_ = tty.Close()
	t.Logf("first frames %d bytes, then %d bytes over 50 refreshes", first, idle)
	if first < 100*30/2 {
		t.Fatalf("the first frames wrote %d bytes: no screen drawn", first)
	}
	// Each refresh changes the host's sparkline at most; a screen
	// rewritten whole would be first bytes a refresh.
	if idle > first/2 {
		t.Errorf("50 idle refreshes wrote %d bytes, the first frame %d: idle frames are rewritten, not diffed", idle, first)
	}
}

package engine

import (
	"context"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"berth/engine/events"
)

// Several commands notice one dead shim at once (each its own Engine, as
// separate processes are): exactly one restarts the container, under its
// lock; the others find the new shim alive.
func TestDeadShimRestartedOnce(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{
		Config:     ContainerConfig{Cmd: []string{"sleep", "1000"}},
		HostConfig: HostConfig{RestartPolicy: RestartPolicy{Name: "always"}},
	})
	if err := e.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.load(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Kill(r.ShimPID, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "shim to die", func() bool { return processStartTime(r.ShimPID) != r.ShimStart })

	var wg sync.WaitGroup
	for i := range 6 {
		other, err := New(e.opts)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = other.Inspect(ctx, c.ID)
			} else {
				_, err = other.List(ctx, ListOptions{All: true})
			}
			if err != nil {
				t.Errorf("noticer %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	waitFor(t, "the container to run again", func() bool {
		got, err := e.Inspect(ctx, c.ID)
		return err == nil && got.State.Running()
	})
	got, err := e.store.load(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RestartCount != 1 || got.State.Pid == r.State.Pid || got.ShimPID == r.ShimPID {
		t.Errorf("restart count %d, PID %d (was %d), shim %d (was %d): want one restart by a new shim",
			got.RestartCount, got.State.Pid, r.State.Pid, got.ShimPID, r.ShimPID)
	}
	evs, err := e.Events().Query(events.Filter{ID: c.ID, Actions: []string{events.ActionRestart, events.ActionDie}})
	if err != nil {
		t.Fatal(err)
	}
	var restarts, dies int
	for _, ev := range evs {
		if ev.Attributes[events.AttrReason] != reasonShimDied {
			continue
		}
		switch ev.Action {
		case events.ActionRestart:
			restarts++
		case events.ActionDie:
			dies++
		}
	}
	if restarts != 1 || dies != 1 {
		t.Errorf("%d die and %d restart events for the shim's death, want one of each: %+v", dies, restarts, evs)
	}
	if processStartTime(r.State.Pid) != 0 {
		t.Errorf("the old container process %d still runs", r.State.Pid)
	}
}

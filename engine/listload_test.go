package engine

import (
	"context"
	"os"
	"testing"
)

// List reads records on several goroutines: what it returns is what
// reading them one by one gives, a damaged record included (as dead).
func TestListLoadsRecordsInParallel(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	const n = 3*minPerWorker + 5
	for range n {
		create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{NetworkMode: "none"}})
	}
	ids, err := e.store.ids()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.store.recordPath(ids[7]), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded := e.loadAll(ids, false)
	for i, id := range ids {
		want, err := e.loadOrDead(id, e.store.load)
		if err != nil {
			t.Fatal(err)
		}
		got := loaded[i]
		if got.err != nil || got.c.ID != id || got.c.Name != want.Name || got.c.State.Status != want.State.Status {
			t.Errorf("record %d: %+v, %v; want %s %s %s", i, got.c, got.err, id, want.Name, want.State.Status)
		}
	}
	if loaded[7].c.State.Status != StatusDead {
		t.Errorf("damaged record read as %s", loaded[7].c.State.Status)
	}
	all, err := e.List(context.Background(), ListOptions{All: true})
	if err != nil || len(all) != n {
		t.Fatalf("List: %d containers, %v; want %d", len(all), err, n)
	}
}

package flock

import (
	"path/filepath"
	"sync"
	"testing"
)

func TestLockExcludesGoroutines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	var wg sync.WaitGroup
	var inside, most int
	var mu sync.Mutex
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := Lock(p)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d holders at once, want 1", most)
	}
}

func TestLockMissingDirectory(t *testing.T) {
	if _, err := Lock(filepath.Join(t.TempDir(), "no", "lock")); err == nil {
		t.Fatal("lock in a missing directory succeeded")
	}
}

func TestTryLockFailsWhileHeld(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := TryLock(p); ok || err != nil {
		t.Fatalf("TryLock while held: ok %v, err %v; want false, nil", ok, err)
	}
	unlock()
	u2, ok, err := TryLock(p)
	if !ok || err != nil {
		t.Fatalf("TryLock when free: ok %v, err %v; want true, nil", ok, err)
	}
	u2()
}

func TestHeld(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	if _, err := Held(p); err == nil {
		t.Fatal("Held of a missing file: no error")
	}
	unlock, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	if held, err := Held(p); !held || err != nil {
		t.Fatalf("Held while locked: %v, %v", held, err)
	}
	unlock()
	if held, err := Held(p); held || err != nil {
		t.Fatalf("Held when free: %v, %v", held, err)
	}
	if _, ok, err := TryLock(p); !ok || err != nil {
		t.Fatalf("Held left a lock behind: %v, %v", ok, err)
	}
}

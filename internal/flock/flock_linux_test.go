package flock

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
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

// A lock file removed while a second Lock waits on it (a container's
// directory removed under its lock) locks nothing: the waiter takes the
// file the path names afterwards, and a third caller finds that held.
func TestLockFollowsARemovedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlockFirst, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan func())
	go func() {
		unlock, err := Lock(path)
		if err != nil {
			t.Error(err)
			unlock = func() {}
		}
		second <- unlock
	}()
	time.Sleep(50 * time.Millisecond) // the second waits on the first file
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	unlockFirst()
	unlockSecond := <-second
	defer unlockSecond()
	if unlock, ok, err := TryLock(path); err != nil || ok {
		if ok {
			unlock()
		}
		t.Fatalf("TryLock of the path while the second holds it: ok %v, %v; want held", ok, err)
	}
}

package engine

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRemoveDirWhileLocking: lockers that make the lock file again while
// a container's directory is removed (a shim whose caller was killed, a
// ps) never make the removal fail or leave the directory behind.
func TestRemoveDirWhileLocking(t *testing.T) {
	s, err := openStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		id := strings.Repeat("ab", 31) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		dir := s.dir(id)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"lock", "container.json", "hosts", "hostname"} {
			if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 2 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if unlock, err := s.lock(id); err == nil {
						unlock()
					}
				}
			})
		}
		err := s.removeDir(id)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("removeDir while locking: %v", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("directory left after removeDir: %v", err)
		}
	}
}

package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReserveNameReclaimsAbandoned: a reservation whose owner never got a
// record is taken over once no create holds it, never while one does, and
// never from a container that has a record.
func TestReserveNameReclaimsAbandoned(t *testing.T) {
	idA, idB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	errStillRuns := errors.New("still runs")
	for _, tc := range []struct {
		name       string
		setup      func(t *testing.T, s *store) // reserves "web" for idA
		discardErr error
		wantErr    error
		discarded  bool
	}{
		{name: "create died", setup: func(t *testing.T, s *store) {
			release := mustReserve(t, s, "web", idA)
			if err := os.Mkdir(s.dir(idA), 0o700); err != nil {
				t.Fatal(err)
			}
			release() // as the death of its process would
		}, discarded: true},
		{name: "create still running", setup: func(t *testing.T, s *store) {
			t.Cleanup(mustReserve(t, s, "web", idA))
		}, wantErr: ErrNameInUse},
		{name: "container has a record", setup: func(t *testing.T, s *store) {
			mustReserve(t, s, "web", idA)()
			if err := os.Mkdir(s.dir(idA), 0o700); err != nil {
				t.Fatal(err)
			}
			rec := &record{Container: Container{ID: idA, Name: "/web", State: State{Status: StatusCreated}}}
			if err := s.save(rec); err != nil {
				t.Fatal(err)
			}
		}, wantErr: ErrNameInUse},
		{name: "something of it still runs", setup: func(t *testing.T, s *store) {
			mustReserve(t, s, "web", idA)()
		}, discardErr: errStillRuns, wantErr: errStillRuns, discarded: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := openStore(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			tc.setup(t, s)
			discarded := false
			release, err := s.reserveName("web", idB, func(owner string) error {
				if owner != idA {
					t.Errorf("discard %s, want %s", owner, idA)
				}
				discarded = true
				return tc.discardErr
			})
			if discarded != tc.discarded {
				t.Errorf("discarded %v, want %v", discarded, tc.discarded)
			}
			owner, _ := os.ReadFile(s.names + "/web")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("reserve: %v, want %v", err, tc.wantErr)
				}
				if string(owner) != idA {
					t.Errorf("the name now names %q, want %s", owner, idA)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			release()
			if string(owner) != idB {
				t.Errorf("the name names %q, want %s", owner, idB)
			}
		})
	}
}

func mustReserve(t *testing.T, s *store, name, id string) (release func()) {
	t.Helper()
	release, err := s.reserveName(name, id, func(string) error { return errors.New("no reclaim expected") })
	if err != nil {
		t.Fatal(err)
	}
	return release
}

// TestSweepNameTemps: opening the store removes the temporary files of
// name reservations that creates killed mid-way left, and only those old
// enough that no live create can still hold them.
func TestSweepNameTemps(t *testing.T) {
	root := t.TempDir()
	s, err := openStore(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cases := []struct {
		name string
		age  time.Duration
		kept bool
	}{
		{".tmp-old", 2 * staleNameTemp, false},
		{".tmp-fresh", staleNameTemp / 2, true},
		{"web", 2 * staleNameTemp, true}, // a reservation, not a temporary file
	}
	for _, tc := range cases {
		p := filepath.Join(s.names, tc.name)
		if err := os.WriteFile(p, []byte(strings.Repeat("a", 64)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-tc.age), now.Add(-tc.age)); err != nil {
			t.Fatal(err)
		}
	}
	s.sweepNameTemps(now)
	for _, tc := range cases {
		_, err := os.Stat(filepath.Join(s.names, tc.name))
		if kept := err == nil; kept != tc.kept {
			t.Errorf("%s, %v old: kept %v, want %v", tc.name, tc.age, kept, tc.kept)
		}
	}
}

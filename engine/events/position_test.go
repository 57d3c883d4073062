package events

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// appendN appends n container events named from first on.
func appendN(t *testing.T, l *Log, first, n int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		if err := l.Append(Event{Type: TypeContainer, Action: ActionStart, ID: "c" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestSinceReadsWhatCameAfter(t *testing.T) {
	// About 90 bytes an event: 1 KiB rotates every 11 or so.
	const max = 1 << 10
	tests := []struct {
		name        string
		before, add int
		rotations   uint64
		lost        bool
	}{
		{"nothing new", 3, 0, 0, false},
		{"a few", 3, 4, 0, false},
		{"no file at the stamp", 0, 5, 0, false},
		{"no file at the stamp, one rotation", 0, 15, 1, false},
		{"across one rotation", 3, 12, 1, false},
		{"across two rotations", 3, 30, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLog(t, t.TempDir(), Options{MaxSize: max})
			appendN(t, l, 0, tt.before)
			p, err := l.Position()
			if err != nil {
				t.Fatal(err)
			}
			appendN(t, l, tt.before, tt.add)
			got, end, err := l.Since(p)
			if tt.lost {
				if !errors.Is(err, ErrLost) {
					t.Fatalf("Since = %v, %v; want ErrLost", ids(got), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i := tt.before; i < tt.before+tt.add; i++ {
				want = append(want, "c"+strconv.Itoa(i))
			}
			if g := ids(got); !slices.Equal(g, want) {
				t.Fatalf("Since = %v, want %v", g, want)
			}
			if end.Rotation-p.Rotation != tt.rotations {
				t.Fatalf("%d rotations, want %d", end.Rotation-p.Rotation, tt.rotations)
			}
			if now, _ := l.Position(); now != end {
				t.Fatalf("end %+v, want %+v", end, now)
			}
			if more, _, err := l.Since(end); err != nil || len(more) != 0 {
				t.Fatalf("Since(end) = %v, %v; want nothing", ids(more), err)
			}
		})
	}
}

func TestSinceLostWhenCutOrUncounted(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
	}{
		{"cut short", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, currentName), 10); err != nil {
				t.Fatal(err)
			}
		}},
		{"rotated by a writer that does not count", func(t *testing.T, dir string) {
			if err := os.Rename(filepath.Join(dir, currentName), filepath.Join(dir, oldName)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, currentName), []byte("{}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"count unreadable", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, lockName), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, dir, Options{})
			appendN(t, l, 0, 3)
			p, err := l.Position()
			if err != nil {
				t.Fatal(err)
			}
			tt.break_(t, dir)
			if got, _, err := l.Since(p); !errors.Is(err, ErrLost) {
				t.Fatalf("Since = %v, %v; want ErrLost", ids(got), err)
			}
		})
	}
}

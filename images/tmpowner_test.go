package images

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseTmpOwner(t *testing.T) {
	for _, tc := range []struct {
		name string
		want tmpOwner
		ok   bool
	}{
		{"4026531836.1234.98765-layer-123456", tmpOwner{4026531836, 1234, 98765}, true},
		{"1.2.3-pulled-abc-0f0f", tmpOwner{1, 2, 3}, true},
		{"partial-0123abcd", tmpOwner{}, false},
		{"layer-123456", tmpOwner{}, false},
		{"1.2-layer-1", tmpOwner{}, false},
		{"1.0.3-layer-1", tmpOwner{}, false},
		{"1.-2.3-layer-1", tmpOwner{}, false},
		{"a.b.c-layer", tmpOwner{}, false},
		{"1.2.3", tmpOwner{}, false},
	} {
		got, ok := parseTmpOwner(tc.name)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseTmpOwner(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseStepOwner(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want tmpOwner
		ok   bool
	}{
		{"build-0123456789abcdef-7.8.9", tmpOwner{7, 8, 9}, true},
		{"build-0123456789abcdef", tmpOwner{}, false},
		{"build-0123456789abcdef-7.8", tmpOwner{}, false},
		{"7.8.9-build-x", tmpOwner{}, false},
		{strings.Repeat("a", 64), tmpOwner{}, false},
	} {
		got, ok := parseStepOwner(tc.id)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseStepOwner(%q) = %v, %v; want %v, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseStartTime(t *testing.T) {
	for _, tc := range []struct {
		stat string
		want uint64 // 0 for an error
	}{
		{"42 (sh) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 777 1000 10 ...", 777},
		{"42 (a (b) c) R 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 31337 1000 10", 31337},
		{"42 (sh) S 1 2 3", 0},
		{"no parenthesis", 0},
		{"42 (sh) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 x 1000", 0},
	} {
		got, err := parseStartTime([]byte(tc.stat))
		if tc.want == 0 {
			if err == nil {
				t.Errorf("parseStartTime(%q) = %d, want an error", tc.stat, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseStartTime(%q) = %d, %v; want %d", tc.stat, got, err, tc.want)
		}
	}
}

// TestOpenRemovesOrphanedTmp: opening the store removes the tmp/ entries
// of processes that are gone, and keeps those of live processes, partial
// downloads and names without an owner (prune takes those by age).
func TestOpenRemovesOrphanedTmp(t *testing.T) {
	s := openStore(t, "")
	self := s.owner
	dead := self
	dead.start++ // this PID, but not this process: the PID was reused
	other := self
	other.pidNS++ // a process of another PID namespace, unknowable here
	for _, name := range []string{
		self.String() + "-layer-1",
		dead.String() + "-layer-2",
		dead.String() + "-pulled-abc-0f0f",
		other.String() + "-load-3",
		"partial-0123abcd",
		"layer-4",
	} {
		if err := os.MkdirAll(filepath.Join(s.tmpDir(), name, "diff"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	steps := []string{"build-01-" + self.String(), "build-02-" + dead.String(), "build-03-" + other.String(), strings.Repeat("c", 64)}
	for _, id := range steps {
		if err := os.MkdirAll(filepath.Join(s.containerDir(id), "diff"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(s.root, Options{Driver: s.driver}); err != nil {
		t.Fatal(err)
	}
	wantSteps := []string{steps[0], steps[2], steps[3]}
	if got := entriesOf(t, s.containersDir()); !slices.Equal(got, wantSteps) {
		t.Errorf("containers/ holds %v, want %v", got, wantSteps)
	}
	left := entriesOf(t, s.tmpDir())
	want := []string{other.String() + "-load-3", self.String() + "-layer-1", "layer-4", "partial-0123abcd"}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("tmp/ holds %v, want %v", left, want)
	}
}

// entriesOf lists the names in dir, sorted.
func entriesOf(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestPruneKeepsLiveTmp: prune removes tmp/ entries older than an hour,
// but never those of a live process nor a partial download a pull holds.
func TestPruneKeepsLiveTmp(t *testing.T) {
	s := openStore(t, "")
	dead := s.owner
	dead.start++
	names := []string{s.owner.String() + "-layer-1", dead.String() + "-layer-2", "partial-aa", "partial-bb", "legacy-3"}
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range names {
		path := filepath.Join(s.tmpDir(), name)
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
	}
	held, err := os.Open(filepath.Join(s.tmpDir(), "partial-aa"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := unix.Flock(int(held.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := s.removeStaleTmp(time.Now().Add(-staleTmpAge)); err != nil {
		t.Fatal(err)
	}
	want := []string{s.owner.String() + "-layer-1", "partial-aa"}
	if got := entriesOf(t, s.tmpDir()); !slices.Equal(got, want) {
		t.Errorf("tmp/ holds %v, want %v", got, want)
	}
}

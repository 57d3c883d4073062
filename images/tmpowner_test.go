package images

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
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
	if _, err := Open(s.root, Options{Driver: s.driver}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(s.tmpDir())
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{other.String() + "-load-3", self.String() + "-layer-1", "layer-4", "partial-0123abcd"}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("tmp/ holds %v, want %v", left, want)
	}
}

package jsonlog

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeDisk fails writes with ENOSPC while full (after writing partial
// bytes of each), reports free bytes, and keeps a clock the test moves.
type fakeDisk struct {
	full    bool
	partial int
	free    int64
	now     time.Time
}

func (d *fakeDisk) disk() disk {
	return disk{
		write: func(f *os.File, b []byte) (int, error) {
			if !d.full {
				return f.Write(b)
			}
			n, _ := f.Write(b[:min(d.partial, len(b))])
			return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
		},
		free: func(string) (int64, error) { return d.free, nil },
		now:  func() time.Time { return d.now },
	}
}

// step is one thing a test does: write to stdout, or change the disk.
type step func(d *fakeDisk, s *StreamWriter, t *testing.T)

func write(text string) step {
	return func(_ *fakeDisk, s *StreamWriter, t *testing.T) {
		if n, err := s.Write([]byte(text)); n != len(text) || err != nil {
			t.Fatalf("write %q: %d, %v; want all of it taken", text, n, err)
		}
	}
}
func full(partial int) step {
	return func(d *fakeDisk, _ *StreamWriter, _ *testing.T) { d.full, d.partial = true, partial }
}
func free(n int64) step {
	return func(d *fakeDisk, _ *StreamWriter, _ *testing.T) { d.full, d.free = false, n }
}
func wait(dt time.Duration) step {
	return func(d *fakeDisk, _ *StreamWriter, _ *testing.T) { d.now = d.now.Add(dt) }
}

func TestWriterDropsWhenFullAndResumes(t *testing.T) {
	const plenty = 1 << 40
	stopped := "~berth: stopped writing this log: "
	tests := []struct {
		name     string
		minFree  int64
		steps    []step
		want     []string // entries; "~" starts a regexp
		closeErr string   // "" for none
	}{
		{"enospc drops, then resumes with a note", 0,
			[]step{write("a\n"), full(0), write("bb\n"), write("c\n"), free(plenty), wait(time.Second), write("d\n")},
			[]string{"a\n", "~^berth: dropped 5 bytes of output \\(2 lines\\) from .* to .*: no space left on device\n$", "d\n"}, ""},
		{"a write cut short leaves no half entry", 0,
			[]step{write("a\n"), full(7), write("bbbbbbbbbbbb\n"), free(plenty), wait(time.Second), write("c\n")},
			[]string{"a\n", "~^berth: dropped 13 bytes of output \\(1 lines\\)", "c\n"}, ""},
		{"no probe within the probe interval", 0,
			[]step{full(0), write("a\n"), free(plenty), wait(probeEvery / 2), write("b\n"), wait(probeEvery), write("c\n")},
			[]string{"~^berth: dropped 4 bytes of output \\(2 lines\\)", "c\n"}, ""},
		{"below MinFree: stops with a note, resumes past the margin", 100,
			[]step{free(50), write("a\n"), free(100 + minResume - 1), wait(time.Second), write("b\n"),
				free(100 + minResume), wait(time.Second), write("c\n")},
			[]string{stopped + "less than 100 bytes free on its filesystem", "~^berth: dropped 4 bytes of output \\(2 lines\\)", "c\n"}, ""},
		{"free space checked every checkEvery bytes", 100,
			[]step{write("a\n"), free(50), write("b\n"), write(filler(checkEvery)), write("c\n")},
			[]string{"a\n", "b\n", stopped, "~^berth: dropped 2 bytes of output \\(1 lines\\)"}, ""},
		{"close while dropping notes the drop", 0,
			[]step{full(0), write("a\n"), free(plenty)},
			[]string{"~^berth: dropped 2 bytes of output \\(1 lines\\)"}, ""},
		{"close on a full disk says what was lost", 0,
			[]step{write("a\n"), full(3), write("b\n")},
			[]string{"a\n"}, "dropped 2 bytes of output (1 lines)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &fakeDisk{free: 1 << 40, now: time.Unix(1e9, 0)}
			path := filepath.Join(t.TempDir(), "c-json.log")
			w, err := newWriter(path, Options{MinFree: tc.minFree}, d.disk())
			if err != nil {
				t.Fatal(err)
			}
			s := w.Stream("stdout")
			for _, st := range tc.steps {
				st(d, s, t)
			}
			err = w.Close()
			if tc.closeErr == "" && err != nil || tc.closeErr != "" && (err == nil || !strings.Contains(err.Error(), tc.closeErr)) {
				t.Errorf("close: %v, want %q", err, tc.closeErr)
			}
			var got []rawEntry
			for _, e := range readRaw(t, path) {
				if !isFiller(e.Log) {
					got = append(got, e)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("entries %q, want %q", logs(got), tc.want)
			}
			for i, e := range got {
				want := tc.want[i]
				if re, ok := strings.CutPrefix(want, "~"); ok {
					if !regexp.MustCompile(re).MatchString(e.Log) {
						t.Errorf("entry %d %q, want match of %s", i, e.Log, re)
					}
				} else if !strings.HasPrefix(e.Log, want) {
					t.Errorf("entry %d %q, want %q", i, e.Log, want)
				}
				wantStream := "stdout"
				if strings.HasPrefix(e.Log, "berth: ") {
					wantStream = "stderr"
				}
				if e.Stream != wantStream {
					t.Errorf("entry %d %q on %s, want %s", i, e.Log, e.Stream, wantStream)
				}
			}
		})
	}
}

// filler is n bytes of lines of x, which the test leaves out when it
// compares entries.
func filler(n int) string {
	line := strings.Repeat("x", 999) + "\n"
	return strings.Repeat(line, n/len(line)+1)
}

func isFiller(s string) bool { return strings.Trim(s, "x\n") == "" && s != "\n" }

func logs(es []rawEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Log)
	}
	return out
}

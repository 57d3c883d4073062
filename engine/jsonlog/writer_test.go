package jsonlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type rawEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// readRaw parses a log file with encoding/json, failing on any bad line.
func readRaw(t *testing.T, name string) []rawEntry {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rawEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e rawEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: bad line %q: %v", name, sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func newLog(t *testing.T, opts Options) (*Writer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c-json.log")
	w, err := New(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, path
}

func TestStreamWriterSplitsLikeDocker(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxLine)
	tests := []struct {
		name   string
		writes []string
		close  bool
		want   []string
	}{
		{"one line", []string{"hello\n"}, false, []string{"hello\n"}},
		{"two lines one write", []string{"a\nb\n"}, false, []string{"a\n", "b\n"}},
		{"line across writes", []string{"hel", "lo\nwor", "ld\n"}, false, []string{"hello\n", "world\n"}},
		{"empty line", []string{"\n"}, false, []string{"\n"}},
		{"unterminated kept", []string{"no newline"}, false, nil},
		{"unterminated flushed on close", []string{"no newline"}, true, []string{"no newline"}},
		{"crlf from a tty", []string{"tty\r\n"}, false, []string{"tty\r\n"}},
		{"just under 16k", []string{long[1:] + "\n"}, false, []string{long[1:] + "\n"}},
		{"exactly 16k", []string{long + "\n"}, false, []string{long, "\n"}},
		{"16k plus", []string{long + "abc\n"}, false, []string{long, "abc\n"}},
		{"40k in pieces", []string{long[:100], long[100:] + long + "tail", "\n"}, false, []string{long, long, "tail\n"}},
		{"long unterminated on close", []string{long + "rest"}, true, []string{long, "rest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, path := newLog(t, Options{})
			s := w.Stream("stdout")
			for _, p := range tt.writes {
				if n, err := s.Write([]byte(p)); err != nil || n != len(p) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if tt.close {
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for _, e := range readRaw(t, path) {
				if e.Stream != "stdout" {
					t.Errorf("stream %q", e.Stream)
				}
				got = append(got, e.Log)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %d entries %.80q; want %d %.80q", len(got), got, len(tt.want), tt.want)
			}
		})
	}
}

func TestPiecesOfALineShareTheFirstTime(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	s := w.Stream("stdout")
	long := strings.Repeat("y", maxLine)
	s.Write([]byte(long))
	time.Sleep(5 * time.Millisecond)
	s.Write([]byte(long + "end\n"))
	time.Sleep(5 * time.Millisecond)
	s.Write([]byte("next\n"))
	got := readRaw(t, path)
	if len(got) != 4 || got[2].Log != "end\n" {
		t.Fatalf("got %d entries", len(got))
	}
	for i := 1; i < 3; i++ {
		if !got[i].Time.Equal(got[0].Time) {
			t.Errorf("piece %d at %v, first at %v", i, got[i].Time, got[0].Time)
		}
	}
	if !got[3].Time.After(got[0].Time) {
		t.Errorf("next line reuses the long line's time")
	}
}

func TestWriterCloseFlushesAndRefuses(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	out, errs := w.Stream("stdout"), w.Stream("stderr")
	out.Write([]byte("a\nb"))
	errs.Write([]byte("oops"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readRaw(t, path)
	if len(got) != 3 || got[1].Log != "b" || got[2].Log != "oops" || got[2].Stream != "stderr" {
		t.Errorf("got %+v", got)
	}
	if _, err := out.Write([]byte("late\n")); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
}

func TestWriterAppendsToExistingLog(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	w.Stream("stdout").Write([]byte("first run\n"))
	w.Close()
	w2, err := New(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w2.Stream("stdout").Write([]byte("second run\n"))
	w2.Close()
	if got := readRaw(t, path); len(got) != 2 || got[1].Log != "second run\n" {
		t.Errorf("got %+v", got)
	}
}

// Two goroutines write stdout and stderr in random chunks; every entry must
// parse and each stream must read back exactly as written.
func TestConcurrentStreamsKeepLinesWhole(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	var want [2]bytes.Buffer
	var wg sync.WaitGroup
	for i, name := range []string{"stdout", "stderr"} {
		var data bytes.Buffer
		for n := range 3000 {
			fmt.Fprintf(&data, "%s line %d %s\n", name, n, strings.Repeat("<&>", n%50))
		}
		want[i] = data
		s := w.Stream(name)
		wg.Add(1)
		go func(p []byte, seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 7))
			for len(p) > 0 {
				k := min(len(p), 1+rng.IntN(5000))
				if _, err := s.Write(p[:k]); err != nil {
					t.Error(err)
					return
				}
				p = p[k:]
			}
		}(data.Bytes(), uint64(i))
	}
	wg.Wait()
	w.Close()
	var got [2]strings.Builder
	for _, e := range readRaw(t, path) {
		i := 0
		if e.Stream == "stderr" {
			i = 1
		}
		got[i].WriteString(e.Log)
	}
	for i := range 2 {
		if got[i].String() != want[i].String() {
			t.Errorf("stream %d differs: got %d bytes, want %d", i, got[i].Len(), want[i].Len())
		}
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		files   int
		maxSize int64
	}{
		{"three files", Options{MaxSize: 4000, MaxFile: 3}, 3, 4000},
		{"one file truncates", Options{MaxSize: 4000, MaxFile: 1}, 1, 4000},
		{"no limit", Options{}, 1, 1 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, path := newLog(t, tt.opts)
			s := w.Stream("stdout")
			const n = 1000
			for i := range n {
				fmt.Fprintf(s, "line %04d\n", i)
				if i%7 == 0 {
					s.Write([]byte("a\nb\nc\n"))
				}
			}
			w.Close()
			var all []rawEntry
			for i := tt.files - 1; i >= 0; i-- {
				name := rotatedName(path, i)
				st, err := os.Stat(name)
				if err != nil {
					t.Fatalf("missing %s: %v", name, err)
				}
				if st.Size() > tt.maxSize {
					t.Errorf("%s is %d bytes, over %d", name, st.Size(), tt.maxSize)
				}
				all = append(all, readRaw(t, name)...)
			}
			if _, err := os.Stat(rotatedName(path, tt.files)); err == nil {
				t.Errorf("%s exists: too many files", rotatedName(path, tt.files))
			}
			var lines []string
			for _, e := range all {
				if strings.HasPrefix(e.Log, "line ") {
					lines = append(lines, e.Log)
				}
			}
			if len(lines) == 0 || lines[len(lines)-1] != fmt.Sprintf("line %04d\n", n-1) {
				t.Fatalf("last line wrong: %d lines", len(lines))
			}
			first := n - len(lines)
			for i, l := range lines {
				if l != fmt.Sprintf("line %04d\n", first+i) {
					t.Fatalf("gap or reorder at %d: %q", i, l)
				}
			}
			if tt.opts.MaxSize == 0 && first != 0 {
				t.Errorf("lost %d lines without a limit", first)
			}
		})
	}
}

package jsonlog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// printed is what a reader that prints lines without their times shows:
// each run of one stream's text, tagged with the stream.
func printed(entries []Entry) string {
	var sb strings.Builder
	last := ""
	for _, e := range entries {
		if e.Stream != last {
			sb.WriteString("[" + e.Stream + "]")
			last = e.Stream
		}
		sb.Write(e.Line)
	}
	return sb.String()
}

// readJoined reads the log at path as `berth logs` does without -t, each
// entry's line copied (the read is transient).
func readJoined(t *testing.T, path string, opts ReadOptions) []Entry {
	t.Helper()
	opts.Transient, opts.Joined = true, true
	var out []Entry
	if err := Read(context.Background(), path, opts, func(e Entry) error {
		e.Line = bytes.Clone(e.Line)
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A Joined read prints what a read line by line prints, for every shape
// of line and every selection, in fewer calls when the lines are common;
// each joined entry holds one stream's lines and the first one's time.
func TestJoinedReadPrintsTheSame(t *testing.T) {
	at := func(s int) string { return time.Date(2026, 12, 8, 0, 0, s, 5e8, time.UTC).Format(time.RFC3339Nano) }
	line := func(text, stream string, s int) string {
		return `{"log":"` + text + `","stream":"` + stream + `","time":"` + at(s) + `"}` + "\n"
	}
	common := line(`a\n`, "stdout", 1) + line(`b\n`, "stdout", 1) + line(`c\n`, "stdout", 2)
	tests := []struct {
		name  string
		log   string
		opts  ReadOptions
		calls int // entries the joined read delivers
	}{
		{"common lines join", common, ReadOptions{}, 1},
		{"a change of stream ends a run", common + line(`e\n`, "stderr", 2) + line(`f\n`, "stdout", 2), ReadOptions{}, 3},
		{"escaped text is read alone", common + line(`q\"\n`, "stdout", 2) + line(`g\n`, "stdout", 2), ReadOptions{}, 3},
		{"a partial line is read alone", common + line(`part`, "stdout", 2) + line(`h\n`, "stdout", 3), ReadOptions{}, 3},
		{"attrs are read alone", common + `{"log":"x\n","stream":"stdout","attrs":{"k":"v"},"time":"` + at(3) + `"}` + "\n" + line(`i\n`, "stdout", 3), ReadOptions{}, 3},
		{"a control byte in a text is refused", common + line("r\x01\\n", "stdout", 2) + line(`s\n`, "stdout", 2), ReadOptions{}, 2},
		{"a line ending as the one before joins", common + line(`t\n`, "stdout", 2) + line(`u\n`, "stdout", 2), ReadOptions{}, 1},
		{"a bad line is skipped", common + "not json\n" + line(`j\n`, "stdout", 4), ReadOptions{}, 2},
		{"a bad time is skipped", common + `{"log":"k\n","stream":"stdout","time":"yesterday"}` + "\n" + line(`l\n`, "stdout", 4), ReadOptions{}, 2},
		{"stdout only", common + line(`e\n`, "stderr", 2) + line(`f\n`, "stdout", 2), ReadOptions{Stdout: true}, 2},
		{"stderr only", common + line(`e\n`, "stderr", 2) + line(`f\n`, "stdout", 2), ReadOptions{Stderr: true}, 1},
		{"since cuts inside a run", common + line(`m\n`, "stdout", 1) + line(`n\n`, "stdout", 3), ReadOptions{Since: time.Date(2026, 12, 8, 0, 0, 2, 0, time.UTC)}, 2},
		{"until cuts inside a run", common + line(`n\n`, "stdout", 3), ReadOptions{Until: time.Date(2026, 12, 8, 0, 0, 1, 6e8, time.UTC)}, 1},
		{"an unterminated end waits", common + line(`o\n`, "stdout", 3)[:40], ReadOptions{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c-json.log")
			if err := os.WriteFile(path, []byte(tt.log), 0o644); err != nil {
				t.Fatal(err)
			}
			tt.opts.Tail = TailAll
			want := readAll(t, path, tt.opts)
			got := readJoined(t, path, tt.opts)
			if printed(got) != printed(want) {
				t.Fatalf("joined read prints %q, line by line %q", printed(got), printed(want))
			}
			if len(got) != tt.calls {
				t.Errorf("joined read made %d entries, want %d", len(got), tt.calls)
			}
			first := 0
			for _, g := range got {
				w := want[first]
				if g.Stream != w.Stream || !g.Time.Equal(w.Time) || g.Pos != w.Pos {
					t.Errorf("joined entry %q starts with %s %v %+v, want %s %v %+v", g.Line, g.Stream, g.Time, g.Pos, w.Stream, w.Time, w.Pos)
				}
				first += bytes.Count(g.Line, []byte{'\n'})
				if !bytes.HasSuffix(g.Line, []byte{'\n'}) {
					first++
				}
			}
		})
	}
}

// A log the writer made, many reads' worth, reads joined as line by line
// with a call per read chunk or so.
func TestJoinedReadOfAWrittenLog(t *testing.T) {
	w, path := newLog(t, Options{})
	out, errs := w.Stream("stdout"), w.Stream("stderr")
	chunk := pipeChunk(80)
	for i := range 40 {
		if _, err := out.Write(chunk); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			writeLines(t, errs, "err", i, i+3)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := readAll(t, path, ReadOptions{Tail: TailAll})
	got := readJoined(t, path, ReadOptions{Tail: TailAll})
	if printed(got) != printed(want) {
		t.Fatal("the joined read prints another log than the read line by line")
	}
	if len(got) > 40 {
		t.Errorf("%d lines read joined in %d entries", len(want), len(got))
	}
}

// A Joined read follows a log across rotations as a read line by line
// does, in order, ending when the writer is done.
func TestJoinedFollowAcrossRotation(t *testing.T) {
	w, path := newLog(t, Options{MaxSize: 2000, MaxFile: 3})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 10)
	done := make(chan struct{})
	texts := make(chan string, 100000)
	result := make(chan error, 1)
	go func() {
		opts := ReadOptions{Tail: TailAll, Follow: true, Done: done, Transient: true, Joined: true}
		result <- Read(context.Background(), path, opts, func(e Entry) error {
			texts <- string(e.Line) // the line is the read's again once fn returns
			return nil
		})
	}()
	var got strings.Builder
	await := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for got.Len() < len(want) {
			select {
			case text := <-texts:
				got.WriteString(text)
			case <-deadline:
				t.Fatalf("follow: got %d of %d bytes", got.Len(), len(want))
			}
		}
		if got.String() != want {
			t.Fatalf("follow got %q\nwant %q", got.String(), want)
		}
	}
	await(seq("out", 0, 10))
	for i := 10; i < 400; i += 10 {
		writeLines(t, s, "out", i, i+10)
		await(seq("out", 0, i+10))
	}
	close(done)
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

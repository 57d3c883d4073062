package jsonlog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testEntry is one entry written by hand, at a chosen time.
type testEntry struct {
	stream string
	text   string // with its newline unless a piece of a line
	at     time.Time
	off    int64 // where its line starts in its file
}

// writeEntries writes entries as the Writer encodes them into the file
// at path, recording each one's offset; tail, when not "", is appended
// last without its newline (a line still being written).
func writeEntries(t *testing.T, path string, es []testEntry, tail string) {
	t.Helper()
	var b []byte
	for i := range es {
		e := &es[i]
		e.off = int64(len(b))
		newline := strings.HasSuffix(e.text, "\n")
		b = appendEntry(b, []byte(strings.TrimSuffix(e.text, "\n")), newline, streamTail(e.stream), appendTime(nil, e.at))
	}
	b = append(b, tail...)
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
}

var seekBase = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// timedEntries makes n entries one millisecond apart (three share each
// time, as lines of one Write do), with stderr lines, long lines cut
// into 16 KiB pieces, and lines longer than a probe.
func timedEntries(n int) []testEntry {
	var es []testEntry
	for i := range n {
		at := seekBase.Add(time.Duration(i/3) * time.Millisecond)
		stream := "stdout"
		if i%7 == 0 {
			stream = "stderr"
		}
		text := fmt.Sprintf("line %d \"quoted\" <tag> é\n", i)
		switch {
		case i%97 == 5:
			es = append(es, testEntry{stream: stream, text: strings.Repeat("p", maxLine), at: at})
			text = "end of a cut line\n"
		case i%89 == 3:
			text = strings.Repeat("long ", 1500) + "\n"
		}
		es = append(es, testEntry{stream: stream, text: text, at: at})
	}
	return es
}

func since(es []testEntry, t time.Time) string {
	var sb strings.Builder
	for _, e := range es {
		if !e.at.Before(t) {
			sb.WriteString(e.stream + ":" + e.text)
		}
	}
	return sb.String()
}

func streamTexts(es []Entry) string {
	var sb strings.Builder
	for _, e := range es {
		sb.WriteString(e.Stream + ":" + string(e.Line))
	}
	return sb.String()
}

// --since reads exactly what a scan of the whole log filtered by time
// would, whatever the time: before the log, on an entry, between two,
// after it.
func TestReadSinceMatchesFullScan(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c-json.log")
	es := timedEntries(3000)
	writeEntries(t, path, es, `{"log":"half written`)
	last := es[len(es)-1].at
	for _, at := range []time.Time{
		seekBase.Add(-time.Hour), seekBase, seekBase.Add(time.Nanosecond),
		seekBase.Add(333 * time.Millisecond), seekBase.Add(333*time.Millisecond + 500*time.Microsecond),
		last, last.Add(time.Nanosecond), last.Add(time.Hour),
	} {
		got := streamTexts(readAll(t, path, ReadOptions{Tail: TailAll, Since: at}))
		if want := since(es, at); got != want {
			t.Errorf("since %s: %d bytes, want %d", at.Format(time.RFC3339Nano), len(got), len(want))
		}
		for _, n := range []int{0, 1, 5, 10000} {
			got := readAll(t, path, ReadOptions{Tail: n, Since: at})
			all := readAll(t, path, ReadOptions{Tail: TailAll, Since: at})
			if len(all) > n {
				all = all[len(all)-n:]
			}
			if streamTexts(got) != streamTexts(all) {
				t.Errorf("since %s, tail %d: %q, want %q", at.Format(time.RFC3339Nano), n, streamTexts(got), streamTexts(all))
			}
		}
	}
}

// seekSince lands just before the first entry it must deliver: it skips
// all but at most a probe and a line of what is older.
func TestSeekSinceLandsNearTheBoundary(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c-json.log")
	es := timedEntries(20000)
	writeEntries(t, path, es, "")
	lf, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.close()
	size, err := lf.size()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 2, 3, 100, 5000, 9999, 19998, 19999} {
		at := es[i].at
		first := 0
		for es[first].at.Before(at) {
			first++
		}
		off, err := seekSince(lf, size, at)
		if err != nil {
			t.Fatal(err)
		}
		if want := es[first].off; off > want || want-off > seekChunk+int64(maxLine)*2 {
			t.Errorf("since entry %d: seek to %d, first wanted entry at %d", i, off, want)
		}
	}
	if off, err := seekSince(lf, size, es[len(es)-1].at.Add(time.Second)); err != nil || size-off > seekChunk+int64(maxLine)*2 {
		t.Errorf("since after the end: seek to %d of %d: %v", off, size, err)
	}
}

// Edge cases: an empty log, a log whose only line is still being
// written, a missing log, and --since across rotated files.
func TestReadSinceEdges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty-json.log")
	writeEntries(t, empty, nil, "")
	half := filepath.Join(dir, "half-json.log")
	writeEntries(t, half, nil, `{"log":"no newline yet","stream":"stdout","time":"2026-12-07T10:00:00Z"}`)
	for _, path := range []string{empty, half, filepath.Join(dir, "missing-json.log")} {
		for _, opts := range []ReadOptions{{Tail: TailAll, Since: seekBase}, {Tail: 3, Since: seekBase}, {Tail: 3}, {Tail: TailAll}} {
			if got := readAll(t, path, opts); len(got) != 0 {
				t.Errorf("%s %+v: %q", filepath.Base(path), opts, streamTexts(got))
			}
		}
	}
	path := filepath.Join(dir, "c-json.log")
	es := timedEntries(900)
	writeEntries(t, path+".2", es[:300], "")
	writeEntries(t, path+".1", es[300:600], "")
	writeEntries(t, path, es[600:], "")
	for _, i := range []int{0, 150, 299, 300, 301, 450, 600, 750, 899} {
		at := es[i].at
		if got, want := streamTexts(readAll(t, path, ReadOptions{Tail: TailAll, Since: at})), since(es, at); got != want {
			t.Errorf("rotated, since entry %d: %d bytes, want %d", i, len(got), len(want))
		}
	}
}

// Following with --since starts where the seek lands and goes on with
// what is written after.
func TestFollowSince(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	s := w.Stream("stdout")
	writeLines(t, s, "old", 0, 50)
	time.Sleep(5 * time.Millisecond)
	mid := time.Now()
	writeLines(t, s, "new", 0, 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var got []Entry
	go func() {
		_ = Read(ctx, path, ReadOptions{Tail: TailAll, Since: mid, Follow: true, Done: done}, func(e Entry) error {
			got = append(got, e)
			return nil
		})
		cancel()
	}()
	writeLines(t, s, "new", 50, 60)
	close(done)
	<-ctx.Done()
	if want := seq("new", 0, 60); texts(got) != want {
		t.Errorf("followed since: %q, want %q", texts(got), want)
	}
}

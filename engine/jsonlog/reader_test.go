package jsonlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeLines writes "name N\n" for N in [from, to) as separate writes.
func writeLines(t *testing.T, s *StreamWriter, name string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := fmt.Fprintf(s, "%s %d\n", name, i); err != nil {
			t.Fatal(err)
		}
	}
}

func readAll(t *testing.T, path string, opts ReadOptions) []Entry {
	t.Helper()
	var out []Entry
	if err := Read(context.Background(), path, opts, func(e Entry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func texts(es []Entry) string {
	var sb strings.Builder
	for _, e := range es {
		sb.Write(e.Line)
	}
	return sb.String()
}

func seq(name string, from, to int) string {
	var sb strings.Builder
	for i := from; i < to; i++ {
		fmt.Fprintf(&sb, "%s %d\n", name, i)
	}
	return sb.String()
}

func TestReadSelections(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 3000, MaxFile: 4})
	out, errs := w.Stream("stdout"), w.Stream("stderr")
	writeLines(t, out, "out", 0, 60)
	mid := time.Now()
	time.Sleep(2 * time.Millisecond)
	writeLines(t, errs, "err", 0, 20)
	writeLines(t, out, "out", 60, 80)
	if _, err := os.Stat(path + ".2"); err != nil {
		t.Fatalf("test wants rotated files: %v", err)
	}
	// the oldest file was dropped: find where the log now begins
	allOut := texts(readAll(t, path, ReadOptions{Tail: TailAll, Stdout: true}))
	firstOut := 80 - strings.Count(allOut, "\n")

	tests := []struct {
		name string
		opts ReadOptions
		want string
	}{
		{"tail 0", ReadOptions{Tail: 0}, ""},
		{"tail 5", ReadOptions{Tail: 5}, seq("out", 75, 80)},
		{"tail 25 crosses streams", ReadOptions{Tail: 25}, seq("err", 15, 20) + seq("out", 60, 80)},
		{"tail stderr", ReadOptions{Tail: 3, Stderr: true}, seq("err", 17, 20)},
		{"all stderr", ReadOptions{Tail: TailAll, Stderr: true}, seq("err", 0, 20)},
		{"all stdout", ReadOptions{Tail: TailAll, Stdout: true}, seq("out", firstOut, 80)},
		{"since", ReadOptions{Tail: TailAll, Since: mid}, seq("err", 0, 20) + seq("out", 60, 80)},
		{"tail since", ReadOptions{Tail: 1000, Since: mid}, seq("err", 0, 20) + seq("out", 60, 80)},
		{"until", ReadOptions{Tail: TailAll, Until: mid, Stderr: true}, ""},
		{"tail until", ReadOptions{Tail: 2, Until: mid}, seq("out", 58, 60)},
		{"tail more than there is", ReadOptions{Tail: 1 << 20, Stderr: true}, seq("err", 0, 20)},
	}
	for _, tt := range tests {
		if got := texts(readAll(t, path, tt.opts)); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestReadMissingLogIsEmpty(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.log")
	if got := readAll(t, path, ReadOptions{Tail: TailAll}); len(got) != 0 {
		t.Errorf("got %d entries", len(got))
	}
}

func TestTailIgnoresLineBeingWritten(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	writeLines(t, w.Stream("stdout"), "out", 0, 3)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"log":"half`)
	f.Close()
	if got := texts(readAll(t, path, ReadOptions{Tail: 2})); got != seq("out", 1, 3) {
		t.Errorf("got %q", got)
	}
	if got := texts(readAll(t, path, ReadOptions{Tail: TailAll})); got != seq("out", 0, 3) {
		t.Errorf("got %q", got)
	}
}

func TestFnErrorStopsRead(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	writeLines(t, w.Stream("stdout"), "out", 0, 10)
	stop := errors.New("enough")
	n := 0
	err := Read(context.Background(), path, ReadOptions{Tail: TailAll}, func(Entry) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("err %v after %d entries", err, n)
	}
}

// follow collects entries from a following Read in a goroutine.
type follow struct {
	entries chan Entry
	result  chan error
}

func startFollow(ctx context.Context, path string, opts ReadOptions) *follow {
	f := &follow{entries: make(chan Entry, 100000), result: make(chan error, 1)}
	opts.Follow = true
	go func() {
		f.result <- Read(ctx, path, opts, func(e Entry) error {
			f.entries <- e
			return nil
		})
	}()
	return f
}

// await reads entries until their text equals want.
func (f *follow) await(t *testing.T, want string) {
	t.Helper()
	var got strings.Builder
	deadline := time.After(10 * time.Second)
	for got.Len() < len(want) {
		select {
		case e := <-f.entries:
			got.Write(e.Line)
		case <-deadline:
			t.Fatalf("follow: got %d of %d bytes", got.Len(), len(want))
		}
	}
	if got.String() != want {
		t.Fatalf("follow got %q\nwant %q", got.String(), want)
	}
}

func TestFollowAcrossRotationUntilDone(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 2000, MaxFile: 3})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 10)
	done := make(chan struct{})
	f := startFollow(context.Background(), path, ReadOptions{Tail: 2, Done: done})
	f.await(t, seq("out", 8, 10))
	for i := 10; i < 400; i += 10 {
		writeLines(t, s, "out", i, i+10)
		f.await(t, seq("out", i, i+10))
	}
	writeLines(t, s, "out", 400, 420)
	close(done)
	select {
	case err := <-f.result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end after done")
	}
	f.await(t, seq("out", 400, 420))
}

func TestFollowWaitsForLogAndStopsOnCancel(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "later.log")
	ctx, cancel := context.WithCancel(context.Background())
	f := startFollow(ctx, path, ReadOptions{Tail: TailAll})
	time.Sleep(50 * time.Millisecond)
	w, err := New(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	writeLines(t, w.Stream("stderr"), "err", 0, 5)
	f.await(t, seq("err", 0, 5))
	cancel()
	select {
	case err := <-f.result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end on cancel")
	}
}

func TestFollowAfterTruncation(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 1500, MaxFile: 1})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := startFollow(ctx, path, ReadOptions{Tail: TailAll})
	f.await(t, seq("out", 0, 5))
	for i := 5; i < 200; i++ {
		writeLines(t, s, "out", i, i+1)
		f.await(t, seq("out", i, i+1))
	}
}

func TestFollowUntilEnds(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 3)
	until := time.Now()
	time.Sleep(2 * time.Millisecond)
	f := startFollow(context.Background(), path, ReadOptions{Tail: TailAll, Until: until})
	writeLines(t, s, "out", 3, 4)
	select {
	case err := <-f.result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not end past until")
	}
	f.await(t, seq("out", 0, 3))
}

func TestReadBackwardPagesThroughRotatedLog(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 2500, MaxFile: 10})
	writeLines(t, w.Stream("stdout"), "out", 0, 300)
	all := readAll(t, path, ReadOptions{Tail: TailAll})
	if texts(all) != seq("out", 0, 300) {
		t.Fatal("test log incomplete")
	}
	var pages []Entry
	pos := Position{}
	for {
		page, err := ReadBackward(path, pos, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(page, pages...)
		pos = page[0].Pos
	}
	if texts(pages) != seq("out", 0, 300) {
		t.Errorf("paged back %d entries, not the whole log", len(pages))
	}
	for i := range all {
		if all[i].Pos != pages[i].Pos {
			t.Fatalf("entry %d: Read says %+v, ReadBackward %+v", i, all[i].Pos, pages[i].Pos)
		}
	}
	// a window in the middle, from a position Read handed out
	page, err := ReadBackward(path, all[150].Pos, 3)
	if err != nil || texts(page) != seq("out", 147, 150) {
		t.Errorf("window before 150: %q, %v", texts(page), err)
	}
}

func TestReadBackwardPositionGone(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 1000, MaxFile: 2})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 5)
	first := readAll(t, path, ReadOptions{Tail: 1})[0].Pos
	writeLines(t, s, "out", 5, 200)
	if _, err := ReadBackward(path, first, 5); !errors.Is(err, ErrPositionGone) {
		t.Errorf("err = %v; want ErrPositionGone", err)
	}
}

// A follower that falls several rotations behind walks the rotated files
// in order instead of skipping to the live one.
func TestFollowCatchesUpAcrossSeveralRotations(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 2000, MaxFile: 40})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gate, first := make(chan struct{}), make(chan struct{})
	var got strings.Builder
	result := make(chan error, 1)
	go func() {
		n := 0
		result <- Read(ctx, path, ReadOptions{Tail: TailAll, Follow: true}, func(e Entry) error {
			if n == 0 {
				close(first)
				<-gate // hold the follower while the log rotates many times
			}
			n++
			got.Write(e.Line)
			if n == 901 {
				cancel()
			}
			return nil
		})
	}()
	<-first
	writeLines(t, s, "out", 1, 901)
	if _, err := os.Stat(path + ".25"); err != nil {
		t.Fatalf("test wants many rotations: %v", err)
	}
	close(gate)
	select {
	case err := <-result:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follower did not catch up")
	}
	if got.String() != seq("out", 0, 901) {
		t.Errorf("follower read %d bytes, want %d", got.Len(), len(seq("out", 0, 901)))
	}
}

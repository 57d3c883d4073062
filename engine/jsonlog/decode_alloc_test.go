package jsonlog

import (
	"context"
	"fmt"
	"testing"
)

// Reading a log costs an allocation per block of lines, not one per line,
// and the lines a caller keeps stay whole: each is its own slice of the
// block, so appending to one never writes over the next.
func TestReadAllocatesPerBlock(t *testing.T) {
	w, path := newLog(t, Options{})
	s := w.Stream("stdout")
	const lines = 2000
	writeLines(t, s, "line", 0, lines)
	var kept []Entry
	if err := Read(context.Background(), path, ReadOptions{Tail: TailAll}, func(e Entry) error {
		kept = append(kept, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range kept {
		_ = append(kept[i].Line, "clobber"...)
	}
	for i, e := range kept {
		if want := fmt.Sprintf("line %d\n", i); string(e.Line) != want {
			t.Fatalf("kept line %d = %q, want %q", i, e.Line, want)
		}
	}
	allocs := testing.AllocsPerRun(3, func() {
		n := 0
		if err := Read(context.Background(), path, ReadOptions{Tail: TailAll}, func(Entry) error { n++; return nil }); err != nil || n != lines {
			t.Fatalf("read %d lines: %v", n, err)
		}
	})
	if allocs > lines/20 {
		t.Errorf("reading %d lines made %.0f allocations", lines, allocs)
	}
}

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

// A Transient read decodes every line into the same memory: a log costs
// no allocation a line nor a block, and each line is whole while fn has it.
func TestTransientReadReusesMemory(t *testing.T) {
	w, path := newLog(t, Options{})
	const lines = 2000
	writeLines(t, w.Stream("stdout"), "line", 0, lines)
	i := 0
	if err := Read(context.Background(), path, ReadOptions{Tail: TailAll, Transient: true}, func(e Entry) error {
		if want := fmt.Sprintf("line %d\n", i); string(e.Line) != want {
			t.Fatalf("line %d = %q, want %q", i, e.Line, want)
		}
		i++
		return nil
	}); err != nil || i != lines {
		t.Fatalf("read %d lines: %v", i, err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		if err := Read(context.Background(), path, ReadOptions{Tail: TailAll, Transient: true}, func(Entry) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 40 {
		t.Errorf("a transient read of %d lines made %.0f allocations", lines, allocs)
	}
}

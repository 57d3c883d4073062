package api

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingAnswer records what a logs answer sends: its bytes, and how
// many writes and flushes it took.
type countingAnswer struct {
	mu              sync.Mutex
	out             bytes.Buffer
	writes, flushes int
}

func (a *countingAnswer) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes++
	return a.out.Write(p)
}

func (a *countingAnswer) Flush() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.flushes++
	return nil
}

func (a *countingAnswer) sent() (string, int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.out.String(), a.writes, a.flushes
}

// A logs answer sends the frames of many lines in a few writes, the same
// bytes as a flush a frame did.
func TestDelayedFlusherBatches(t *testing.T) {
	a := &countingAnswer{}
	f := newDelayedFlusher(a, a.Flush)
	stdout, stderr := outputStreams(f, false)
	var want bytes.Buffer
	wantOut, wantErr := outputStreams(&want, false)
	for i := range 5000 {
		line := []byte(strings.Repeat("x", i%90) + "\n")
		w, ww := stdout, wantOut
		if i%100 == 99 {
			w, ww = stderr, wantErr
		}
		if _, err := w.Write(line); err != nil {
			t.Fatal(err)
		}
		if _, err := ww.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, writes, flushes := a.sent()
	if got != want.String() {
		t.Fatalf("the answer differs from writing each frame (%d bytes, want %d)", len(got), want.Len())
	}
	if writes > 10 || flushes != writes {
		t.Errorf("5000 lines took %d writes and %d flushes", writes, flushes)
	}
}

// A followed line reaches the client without the next one or the end of
// the answer.
func TestDelayedFlusherSendsWithinTheDelay(t *testing.T) {
	a := &countingAnswer{}
	f := newDelayedFlusher(a, a.Flush)
	defer f.Close()
	if _, err := f.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _, flushes := a.sent(); got == "first\n" && flushes == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a followed line is still buffered")
		}
	}
}

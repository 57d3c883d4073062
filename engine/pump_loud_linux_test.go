package engine

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// loudWrites writes n chunks of 4 KiB (what busybox and libc stdio write
// at a time) into w as fast as it takes them, each chunk of one letter,
// and returns all it wrote.
func loudWrites(t *testing.T, w *os.File, n int) []byte {
	t.Helper()
	var all bytes.Buffer
	for i := range n {
		chunk := bytes.Repeat([]byte{'a' + byte(i%26)}, 4<<10)
		if _, err := w.Write(chunk); err != nil {
			t.Errorf("write into the pipe: %v", err)
			break
		}
		all.Write(chunk)
	}
	return all.Bytes()
}

// What a loud stream left in its pipe is read in large reads, whichever
// way the pump waits: 1 MiB written as 256 writes of 4 KiB, the writer
// closed before the pump starts, takes the 128 KiB reads of a full
// buffer, not one read per write; all of it, in order. (How often a pump
// wakes for a writer that goes on writing is BenchmarkPump's figure: it
// depends on the scheduler.)
func TestPipeLoudStreamReadInLargeReads(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	growOutputPipe(w)
	if size, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0); err != nil || size < outputPipeSize {
		t.Skipf("the pipe holds %d bytes (%v), not %d: nothing to read at once", size, err, outputPipeSize)
	}
	const writes = outputPipeSize / (4 << 10)
	sent := loudWrites(t, w, writes)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	reads := 0
	err = readPipe(r, func(b []byte) { reads++; got.Write(b) })
	if !errors.Is(err, io.EOF) {
		t.Fatalf("readPipe: %v, want EOF", err)
	}
	if !bytes.Equal(got.Bytes(), sent) {
		t.Fatalf("read %d bytes, not what was written", got.Len())
	}
	if want := outputPipeSize / pumpBufferSize; reads > want {
		t.Errorf("%d writes of 4 KiB took %d reads, want %d", writes, reads, want)
	}
	if err := r.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("readPipe left the pipe open: Close says %v", err)
	}
}

// A stream that falls quiet after a loud burst is waited for in the
// poller again, and a line it writes then arrives at once.
func TestPipeQuietAfterLoud(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	growOutputPipe(w)
	lines := make(chan string, 16)
	done := make(chan error, 1)
	go func() {
		var got bytes.Buffer
		done <- readPipe(r, func(b []byte) {
			got.Write(b)
			for {
				i := bytes.IndexByte(got.Bytes(), '\n')
				if i < 0 {
					break
				}
				lines <- string(got.Next(i + 1))
			}
		})
	}()
	burst := loudWrites(t, w, 1024)
	w.Write([]byte("\n"))
	if got := <-lines; len(got) != len(burst)+1 {
		t.Fatalf("the burst arrived as %d bytes, want %d", len(got), len(burst)+1)
	}
	time.Sleep(20 * loudPause) // quiet: the pump waits in the poller
	start := time.Now()
	w.Write([]byte("after a quiet spell\n"))
	select {
	case got := <-lines:
		if got != "after a quiet spell\n" {
			t.Fatalf("read %q", got)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("a line after a quiet spell took %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a line after a quiet spell never arrived")
	}
	w.Close()
	if err := <-done; !errors.Is(err, io.EOF) {
		t.Fatalf("readPipe: %v, want EOF", err)
	}
}

package engine

import (
	"errors"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// A container's output pipe holds outputPipeSize: what a loud container
// writes before it waits for its monitor, who reads all of it.
func TestOutputPipeHoldsOneMiB(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	growOutputPipe(w)
	size, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	if size != outputPipeSize {
		t.Fatalf("the pipe holds %d bytes, want %d", size, outputPipeSize)
	}
	data := make([]byte, outputPipeSize)
	if n, err := w.Write(data); err != nil || n != len(data) {
		t.Fatalf("write %d bytes into the pipe: %d, %v", len(data), n, err)
	}
	w.Close()
	got := 0
	if err := readEach(r, func(b []byte) { got += len(b) }); !errors.Is(err, io.EOF) || got != len(data) {
		t.Fatalf("the pump read %d bytes (%v), want %d", got, err, len(data))
	}
}

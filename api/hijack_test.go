package api

import (
	"bytes"
	"strings"
	"testing"

	"github.com/moby/moby/api/pkg/stdcopy"
)

// The frames outputStreams writes are what moby's stdcopy reads back.
func TestOutputStreamsRoundTrip(t *testing.T) {
	var wire bytes.Buffer
	out, errOut := outputStreams(&wire, false)
	big := strings.Repeat("x", maxStdFrame*2+5)
	for _, w := range []struct {
		to   interface{ Write([]byte) (int, error) }
		data string
	}{{out, "one\n"}, {errOut, "two\n"}, {out, big}, {errOut, ""}} {
		if n, err := w.to.Write([]byte(w.data)); n != len(w.data) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	var gotOut, gotErr bytes.Buffer
	if _, err := stdcopy.StdCopy(&gotOut, &gotErr, &wire); err != nil {
		t.Fatal(err)
	}
	if gotOut.String() != "one\n"+big || gotErr.String() != "two\n" {
		t.Fatalf("stdout %d bytes, stderr %q", gotOut.Len(), gotErr.String())
	}
}

// With a tty there is one raw stream.
func TestOutputStreamsTTY(t *testing.T) {
	var wire bytes.Buffer
	out, errOut := outputStreams(&wire, true)
	_, _ = out.Write([]byte("a"))
	_, _ = errOut.Write([]byte("b"))
	if wire.String() != "ab" {
		t.Fatalf("tty stream = %q, want the raw bytes", wire.String())
	}
}

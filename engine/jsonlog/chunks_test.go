package jsonlog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A read of many chunks gives every line whole, in order and at its
// offset: lines cut by chunk edges, lines longer than a chunk, and an
// unterminated end, read transient (decoded in place in the chunk) and
// not.
func TestReadAcrossChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	at := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	var file bytes.Buffer
	var want []string
	add := func(text string) {
		file.Write(appendEntry(nil, []byte(text), true, streamTail("stdout"), appendTime(nil, at)))
		want = append(want, text+"\n")
	}
	straddled := false // a long line across the first chunk's end
	for i := 0; file.Len() < 4*readChunk; i++ {
		switch {
		case i%997 == 0 || !straddled && file.Len() > readChunk/2:
			straddled = file.Len() > readChunk/2
			add(strings.Repeat(fmt.Sprintf("long %d ", i), (readChunk/3*2)/8)) // longer than most chunks leave
		case i%13 == 0:
			add(fmt.Sprintf("escaped \"%d\"\t<&>", i))
		default:
			add(fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%150)))
		}
	}
	file.WriteString(`{"log":"unterminated`)
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, transient := range []bool{false, true} {
		var got []string
		var offs []int64
		err := Read(context.Background(), path, ReadOptions{Tail: TailAll, Transient: transient}, func(e Entry) error {
			got = append(got, string(e.Line))
			offs = append(offs, e.Pos.Offset)
			return nil
		})
		if err != nil {
			t.Fatalf("transient %v: %v", transient, err)
		}
		if len(got) != len(want) {
			t.Fatalf("transient %v: %d lines, want %d", transient, len(got), len(want))
		}
		off := int64(0)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("transient %v: line %d = %.80q, want %.80q", transient, i, got[i], want[i])
			}
			if offs[i] != off {
				t.Fatalf("transient %v: line %d at %d, want %d", transient, i, offs[i], off)
			}
			off += int64(bytes.IndexByte(file.Bytes()[off:], '\n') + 1)
		}
	}
}

package jsonlog

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for the json-file decoder: log files are read back by logs,
// the TUI and the Docker API, and a file damaged by a crash (or edited by
// hand) must neither crash the reader nor make it disagree with itself.

var logSeeds = []string{
	`{"log":"hello\n","stream":"stdout","time":"2024-05-06T07:08:09.123456789Z"}`,
	`{"log":"no newline","stream":"stderr","time":"2024-05-06T07:08:09Z"}`,
	`{"log":"esc \"q\" \\ \u003c\u003e\u0026 \u2028 \ud83d\ude00 \ud800 \t\b\f\r\n","stream":"stdout","time":"2024-05-06T07:08:09.1Z"}`,
	`{"log":"attrs\n","stream":"stdout","attrs":{"tag":"x"},"time":"2024-05-06T07:08:09+02:00"}`,
	`{"stream":"stdout","log":"reordered\n","time":"2024-05-06T07:08:09Z"}`,
	`{"log":"bad time","stream":"stdout","time":"yesterday"}`,
	`{"log":"cut`,
	`not json`,
}

// FuzzDecodeEntry checks the decoder's fast path against encoding/json:
// on valid UTF-8 they accept the same lines and read the same entry.
func FuzzDecodeEntry(f *testing.F) {
	for _, s := range logSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := decodeEntry(line, nil)
		var v struct {
			Log    string    `json:"log"`
			Stream string    `json:"stream"`
			Time   time.Time `json:"time"`
		}
		jerr := json.Unmarshal(line, &v)
		if !utf8.Valid(line) {
			return // encoding/json turns invalid bytes into U+FFFD; the log keeps them
		}
		if (err == nil) != (jerr == nil) {
			t.Fatalf("decodeEntry(%q) err = %v, encoding/json err = %v", line, err, jerr)
		}
		if err != nil {
			return
		}
		if string(e.Line) != v.Log || e.Stream != v.Stream || !e.Time.Equal(v.Time) {
			t.Fatalf("decodeEntry(%q) = %q %q %v, encoding/json reads %q %q %v", line, e.Line, e.Stream, e.Time, v.Log, v.Stream, v.Time)
		}
	})
}

// FuzzEntryRoundTrip writes an entry as the Writer does and reads it back:
// the text comes back as written, invalid UTF-8 bytes as U+FFFD.
func FuzzEntryRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), true, "stdout", int64(1715000000123456789))
	f.Add([]byte("<a href=\"x\">&amp;</a>\r\x00\x1f\u2028\xff\xfe"), false, "stderr", int64(0))
	f.Add([]byte("\xed\xa0\x80 surrogate"), true, "std\"out", int64(-62135596800000000))
	f.Fuzz(func(t *testing.T, text []byte, newline bool, stream string, nanos int64) {
		at := time.Unix(0, nanos).UTC()
		line := appendEntry(nil, text, newline, streamTail(stream), appendTime(nil, at))
		e, err := decodeEntry(bytes.TrimSuffix(line, []byte("\n")), nil)
		if err != nil {
			t.Fatalf("written entry %q does not decode: %v", line, err)
		}
		want := string([]rune(string(text))) // each invalid byte → U+FFFD
		if newline {
			want += "\n"
		}
		if string(e.Line) != want || e.Stream != string([]rune(stream)) || !e.Time.Equal(at) {
			t.Fatalf("round trip of %q %q %v gave %q %q %v", text, stream, at, e.Line, e.Stream, e.Time)
		}
	})
}

// FuzzRead reads arbitrary log files: a tail of n entries is the last n of
// the whole log, reading backward from the end gives the same, and a
// Joined read prints what the read line by line prints.
func FuzzRead(f *testing.F) {
	var all bytes.Buffer
	for _, s := range logSeeds {
		all.WriteString(s + "\n")
	}
	f.Add(all.Bytes(), uint8(3))
	f.Add([]byte(logSeeds[0]+"\n"+logSeeds[1]), uint8(1)) // last line unterminated
	f.Add([]byte("\n\n"+logSeeds[0]+"\r\n"), uint8(0))
	same := logSeeds[0] + "\n" + strings.Replace(logSeeds[0], "hello", "he\x01llo", 1) + "\n" +
		strings.Replace(logSeeds[0], "hello", `he"llo`, 1) + "\n" + logSeeds[0] + "\n" + logSeeds[0] + "\n"
	f.Add([]byte(same), uint8(2)) // lines ending alike, joined or refused
	f.Fuzz(func(t *testing.T, content []byte, tail uint8) {
		path := filepath.Join(t.TempDir(), "c-json.log")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		read := func(n int) []Entry {
			var out []Entry
			if err := Read(context.Background(), path, ReadOptions{Tail: n}, func(e Entry) error {
				out = append(out, e)
				return nil
			}); err != nil {
				t.Fatalf("read tail %d: %v", n, err)
			}
			return out
		}
		whole := read(TailAll)
		if joined := readJoined(t, path, ReadOptions{Tail: TailAll}); printed(joined) != printed(whole) {
			t.Fatalf("a joined read prints %q, a read line by line %q", printed(joined), printed(whole))
		}
		n := int(tail)
		last := whole[max(0, len(whole)-n):]
		sameEntries(t, "tail", read(n), last)
		back, err := ReadBackward(path, Position{}, n)
		if err != nil {
			t.Fatalf("read backward: %v", err)
		}
		sameEntries(t, "backward", back, last)
		if len(whole) > 1 {
			before, err := ReadBackward(path, whole[len(whole)-1].Pos, 1)
			if err != nil {
				t.Fatalf("read backward from the last entry: %v", err)
			}
			sameEntries(t, "backward from the last entry", before, whole[len(whole)-2:len(whole)-1])
		}
	})
}

func sameEntries(t *testing.T, what string, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Line, w.Line) || g.Stream != w.Stream || !g.Time.Equal(w.Time) || g.Pos != w.Pos {
			t.Fatalf("%s: entry %d = %q %s %v %+v, want %q %s %v %+v", what, i, g.Line, g.Stream, g.Time, g.Pos, w.Line, w.Stream, w.Time, w.Pos)
		}
	}
}

// FuzzDecodeInPlace checks the decoding of a read chunk as a transient
// read does it, taking the common line shape apart in place without first
// looking for the newline, against decodeEntry on the line alone (itself
// checked against encoding/json by FuzzDecodeEntry): the same line is
// taken, accepted or refused alike and read the same, what follows it is
// left alone, and a line the common shape refuses is left as it was for
// the slow path.
func FuzzDecodeInPlace(f *testing.F) {
	for _, s := range logSeeds {
		f.Add([]byte(s), []byte(logSeeds[0]))
	}
	f.Add([]byte(`{"log":"x\n","stream":"stderr","time":"2024-05-06T07:08:09.5Z"}`), []byte{})
	f.Add([]byte(`{"log":"x\n","stream":"stdout","time":"2024-05-06T07:08:09.5Z"} `), []byte("x"))
	f.Add([]byte(`{"log":"x\n","stream":"stdout","time":"2024-05-06T07:08:09"Z"}`), []byte("\n"))
	f.Add([]byte(`{"log":"x\u0000\n","stream":"stdout","time":"2024-05-06T07:08:09Z"}`), []byte("{"))
	f.Add([]byte("{\"log\":\"x\x01\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-06T07:08:09Z\"}"), []byte{})
	f.Add([]byte(`{"log":"x\n","stream":"stdout","time":"2024-05-06T07:08:09Z`), []byte(`"}`))
	f.Fuzz(func(t *testing.T, line, next []byte) {
		data := append(append(bytes.Clone(line), '\n'), next...)
		first := data[:bytes.IndexByte(data, '\n')]
		want, werr := decodeEntry(bytes.Clone(first), nil)

		body, ok := bytes.CutPrefix(bytes.Clone(data), []byte(lineHead))
		if ok && decodeCommon(&Entry{}, body, &decoder{inPlace: true}, true) < 0 && !bytes.Equal(body, data[len(lineHead):]) {
			t.Fatalf("a refused line was changed: %q became %q", data, body)
		}

		owned := bytes.Clone(data)
		d := &decoder{inPlace: true}
		for range 2 { // the second time with the line's time known
			copy(owned, data)
			var got Entry
			n, gerr := decodeNext(&got, owned, d)
			if n != len(first)+1 {
				t.Fatalf("decodeNext(%q) took %d bytes, want %d", data, n, len(first)+1)
			}
			if !bytes.Equal(owned[n:], data[n:]) {
				t.Fatalf("decodeNext(%q) changed what follows the line: %q", data, owned[n:])
			}
			if (gerr == nil) != (werr == nil) {
				t.Fatalf("in place, %q: err = %v; alone: err = %v", first, gerr, werr)
			}
			if gerr == nil && (!bytes.Equal(got.Line, want.Line) || got.Stream != want.Stream || !got.Time.Equal(want.Time)) {
				t.Fatalf("in place, %q reads %q %q %v; alone: %q %q %v", first, got.Line, got.Stream, got.Time, want.Line, want.Stream, want.Time)
			}
		}
	})
}

// FuzzStreamWriterEntries writes text through a StreamWriter in one Write
// and checks the file holds, byte for byte, appendEntry's entry for each
// line (each stamped with that Write's time), the shape docker writes.
func FuzzStreamWriterEntries(f *testing.F) {
	f.Add([]byte("hello\nworld\n"))
	f.Add([]byte("<a href=\"x\">&amp;</a>\r\x00\x1f\u2028\xff\xfe\n\n12345678<\n1234567890123456\"\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		text = append(text, '\n')
		lines := bytes.SplitAfter(text, []byte{'\n'})
		lines = lines[:len(lines)-1] // the empty rest after the last newline
		for _, l := range lines {
			if len(l) > maxLine {
				t.Skip("a line cut into pieces")
			}
		}
		path := filepath.Join(t.TempDir(), "c-json.log")
		w, err := New(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Stream("stdout").Write(text); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := bytes.Cut(got, []byte("\n"))
		_, ts, _ := bytes.Cut(first[bytes.LastIndex(first, []byte(`"time":"`)):], []byte(`:"`))
		ts = bytes.TrimSuffix(ts, []byte(`"}`))
		var want []byte
		for _, l := range lines {
			want = appendEntry(want, l[:len(l)-1], true, streamTail("stdout"), ts)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Write(%q) logged\n%q\nwant\n%q", text, got, want)
		}
	})
}

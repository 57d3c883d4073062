package jsonlog

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestAppendEscapedMatchesDocker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"hello", `hello`},
		{"", ``},
		{`say "hi"`, `say \"hi\"`},
		{`back\slash`, `back\\slash`},
		{"a\nb\rc", `a\nb\rc`},
		{"tab\there", `tab\u0009here`},
		{"\x00\x01\x1f\x7f", `\u0000\u0001\u001f` + "\x7f"},
		{"<a href='x'>&amp;</a>", `\u003ca href='x'\u003e\u0026amp;\u003c/a\u003e`},
		{"caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93"},
		{"bad \xff byte", `bad \ufffd byte`},
		{"cut \xe2\x9c", `cut \ufffd\ufffd`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"\x1b[31mred\x1b[0m", `\u001b[31mred\u001b[0m`},
	}
	for _, tt := range tests {
		if got := string(appendEscaped(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendEscaped(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestAppendEntryShape(t *testing.T) {
	t.Parallel()
	ts := appendTime(nil, time.Date(2026, 11, 29, 17, 30, 0, 123456700, time.FixedZone("x", 3600)))
	got := string(appendEntry(nil, []byte("hi <you>"), true, streamTail("stderr"), ts))
	want := `{"log":"hi \u003cyou\u003e\n","stream":"stderr","time":"2026-11-29T16:30:00.1234567Z"}` + "\n"
	if got != want {
		t.Errorf("entry:\n got %s\nwant %s", got, want)
	}
	got = string(appendEntry(nil, []byte("partial"), false, streamTail("stdout"), ts))
	if !strings.HasPrefix(got, `{"log":"partial","stream":"stdout",`) {
		t.Errorf("partial entry: %s", got)
	}
}

// Every escaped string must decode, with encoding/json and with our own
// decoder, to the input with invalid UTF-8 replaced, as docker's does.
func TestEscapeRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "é", "\n", "\r", "\t", "\"", "\\", "<", ">", "&", "\x00", "\x1b", "\xff", "\xe2\x9c", "\u2028", "😀", "\xed\xa0\x80", "/", " "}
	for range 2000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := sb.String()
		enc := appendEscaped([]byte(`"`), []byte(in))
		enc = append(enc, '"')
		var viaJSON string
		if err := json.Unmarshal(enc, &viaJSON); err != nil {
			t.Fatalf("%q encoded as %s: not JSON: %v", in, enc, err)
		}
		if want := replaceInvalid(in); viaJSON != want {
			t.Fatalf("%q round-tripped to %q", in, viaJSON)
		}
		ours, rest, ok := unescape(nil, enc[1:])
		if !ok || len(rest) != 0 || string(ours) != viaJSON {
			t.Fatalf("unescape(%s) = %q, %q, %v; encoding/json says %q", enc, ours, rest, ok, viaJSON)
		}
	}
}

// replaceInvalid replaces each byte of invalid UTF-8 with U+FFFD, as
// encoding/json and docker do.
func replaceInvalid(s string) string {
	var sb strings.Builder
	for _, r := range s {
		sb.WriteRune(r)
	}
	return sb.String()
}

func TestDecodeEntry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		line    string
		stream  string
		text    string
		wantErr bool
	}{
		{"ours", `{"log":"hi\n","stream":"stdout","time":"2026-11-29T16:30:00.1234567Z"}`, "stdout", "hi\n", false},
		{"escapes", `{"log":"\u003c\u0009\"\\\/\b\f\ud83d\ude00\ud800x","stream":"stderr","time":"2026-11-29T16:30:00Z"}`, "stderr", "<\t\"\\/\b\f😀\uFFFDx", false},
		{"docker attrs", `{"log":"x\n","stream":"stdout","attrs":{"a":"b"},"time":"2026-11-29T16:30:00Z"}`, "stdout", "x\n", false},
		{"other order", `{"stream":"stderr","time":"2026-11-29T16:30:00Z","log":"y"}`, "stderr", "y", false},
		{"not json", `{"log":"x`, "", "", true},
		{"empty", ``, "", "", true},
	}
	for _, tt := range tests {
		e, err := decodeEntry([]byte(tt.line), nil)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: no error", tt.name)
			}
			continue
		}
		if err != nil || e.Stream != tt.stream || string(e.Line) != tt.text || e.Time.IsZero() {
			t.Errorf("%s: got %+v, %v", tt.name, e, err)
		}
	}
}

// A special byte is escaped wherever it falls among plain ones: in a
// word escaping scans whole, in the bytes after the last whole word, and
// in the word that ends the text, which the scan reads overlapping those
// before.
func TestAppendEscapedAtEveryPosition(t *testing.T) {
	t.Parallel()
	for _, special := range []byte{'<', '"', '\\', '\n', 0, 0x7f, 0xff} {
		alone := string(appendEscaped(nil, []byte{special}))
		for n := 1; n <= 24; n++ {
			for pos := range n {
				in := []byte(strings.Repeat("a", n))
				in[pos] = special
				want := strings.Repeat("a", pos) + alone + strings.Repeat("a", n-pos-1)
				if got := string(appendEscaped(nil, in)); got != want {
					t.Fatalf("appendEscaped(%q) = %s; want %s", in, got, want)
				}
			}
		}
	}
}

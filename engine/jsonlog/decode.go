package jsonlog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeEntry parses one json-file line (without its newline). Lines in
// the exact shape the Writer (and docker) produce take a fast path without
// reflection; anything else valid, such as docker's lines with "attrs", goes
// through encoding/json.
// d (which may be nil) is the reader's state between lines: the last time
// parsed (entries written by one Write share it) and the block decoded
// lines are cut from.
func decodeEntry(line []byte, d *decoder) (Entry, error) {
	var e Entry
	err := decodeInto(&e, line, d)
	return e, err
}

// decodeInto is decodeEntry filling *e, which it leaves as it found it
// when it fails: an entry is many words, not copied once per call level.
func decodeInto(e *Entry, line []byte, d *decoder) error {
	if decodeFast(e, line, d) {
		return nil
	}
	var v struct {
		Log    string    `json:"log"`
		Stream string    `json:"stream"`
		Time   time.Time `json:"time"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	e.Stream, e.Time, e.Line = internStream([]byte(v.Stream)), v.Time, []byte(v.Log)
	return nil
}

func decodeFast(e *Entry, line []byte, d *decoder) bool {
	rest, ok := bytes.CutPrefix(line, []byte(lineHead))
	if !ok {
		return false
	}
	if decodeCommon(e, rest, d, false) >= 0 {
		return true
	}
	text, rest, ok := unescape(d.lineBuf(len(rest)), rest)
	if !ok {
		return false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"stream":"`)); !ok {
		return false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 || !plain(rest[:i]) {
		return false // escapes or control characters: the slow path decides
	}
	stream := rest[:i]
	if rest, ok = bytes.CutPrefix(rest[i+1:], []byte(`,"time":"`)); !ok {
		return false
	}
	i = bytes.IndexByte(rest, '"')
	if i < 0 || string(rest[i:]) != `"}` {
		return false
	}
	t, err := d.parse(rest[:i])
	if err != nil {
		return false
	}
	e.Stream, e.Time, e.Line = internStream(stream), t, d.keep(text)
	return true
}

// decodeCommon decodes the shape nearly every line has: a text of plain
// bytes ending in one newline, written by stdout or stderr,
//
//	{"log":"TEXT\n","stream":"stdout","time":"…"}
//
// from body, what follows `{"log":"`, and returns the length of what it
// took, up to the closing brace, or -1 for another shape (commonShape
// says what must follow the brace). Its one escape is the last, so the
// text is TEXT and a newline: a decoder that owns the line (inPlace)
// writes the newline over the backslash and returns a slice of the line
// itself, with no copy; others copy the text once. The line is changed
// only once it is known to decode.
func decodeCommon(e *Entry, body []byte, d *decoder, inChunk bool) int {
	var c common
	if !commonShape(&c, body, d, inChunk) {
		return -1
	}
	var text []byte
	if d != nil && d.inPlace {
		body[c.n] = '\n'
		text = body[: c.n+1 : c.n+1]
	} else {
		text = append(append(d.lineBuf(c.n+1), body[:c.n]...), '\n')
		text = d.keep(text)
	}
	e.Stream, e.Time, e.Line = c.stream, c.t, text
	return c.end
}

// common is a line of the common shape as commonShape finds it: its text
// is body[:n], its closing brace ends at body[end].
type common struct {
	n, end int
	stream string
	t      time.Time
}

// commonShape reports whether body, what follows `{"log":"`, has the
// common shape (decodeCommon), and fills c with where its parts are.
// What must come after the closing brace: a newline when inChunk (body
// runs on to the end of a read chunk), else nothing (body is one line).
// It changes nothing.
func commonShape(c *common, body []byte, d *decoder, inChunk bool) bool {
	// The text runs to the first backslash (looked for no further than
	// the longest text the writer puts in one entry) and must hold no
	// quote nor control byte.
	n := bytes.IndexByte(body[:min(len(body), maxLine+1)], '\\')
	if n < 0 || n+2 >= len(body) || body[n+1] != 'n' || body[n+2] != '"' ||
		bytes.IndexByte(body[:n], '"') >= 0 || !noControl(body[:n]) {
		return false
	}
	rest := body[n+3:]
	var stream string
	switch {
	case bytes.HasPrefix(rest, []byte(stdoutTail)):
		stream = "stdout"
	case bytes.HasPrefix(rest, []byte(stderrTail)):
		stream = "stderr"
	default:
		return false
	}
	raw := rest[len(stdoutTail):]
	var t time.Time
	q := 0
	if d != nil && d.raw != nil && len(raw) > len(d.raw) && raw[len(d.raw)] == '"' && bytes.Equal(raw[:len(d.raw)], d.raw) {
		q, t = len(d.raw), d.t // the time of the line before, as most
	} else {
		// time.Parse refuses quotes and newlines: the first quote ends it.
		if q = bytes.IndexByte(raw, '"'); q < 0 {
			return false
		}
		var err error
		if t, err = d.parse(raw[:q]); err != nil {
			return false
		}
	}
	end := len(body) - len(raw) + q + 2 // past `"}`
	if end > len(body) || body[end-1] != '}' || inChunk && (end == len(body) || body[end] != '\n') || !inChunk && end != len(body) {
		return false
	}
	c.n, c.end, c.stream, c.t = n, end, stream, t
	return true
}

// decodeNext decodes the line data starts with, data being the rest of a
// read chunk: n is the line's length with its newline, 0 when data holds
// no whole line; err says the line is not an entry. The common shape is
// decoded as its end is found, without a search for the newline first.
func decodeNext(e *Entry, data []byte, d *decoder) (n int, err error) {
	if body, ok := bytes.CutPrefix(data, []byte(lineHead)); ok {
		if end := decodeCommon(e, body, d, true); end >= 0 {
			return len(lineHead) + end + 1, nil
		}
	}
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return 0, nil
	}
	return i + 1, decodeInto(e, data[:i], d)
}

// lineHead is how every line the writer produces begins.
const lineHead = `{"log":"`

// The part of a line between its text and its time, for the two streams.
const (
	stdoutTail = `,"stream":"stdout","time":"`
	stderrTail = `,"stream":"stderr","time":"`
)

// plainPrefix returns how many of b's first bytes a JSON string holds as
// they are (plainInString), eight at a time while it can.
func plainPrefix(b []byte) int {
	i := 0
	for i+8 <= len(b) && plainString8(binary.LittleEndian.Uint64(b[i:])) {
		i += 8
	}
	for i < len(b) && plainInString[b[i]] {
		i++
	}
	return i
}

// noControl reports whether b holds no byte below 0x20, looking at eight
// bytes at a time ("hasless" of "Bit Twiddling Hacks"), the last eight
// overlapping those before.
func noControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if len(b) < 8 {
		for _, c := range b {
			if c < 0x20 {
				return false
			}
		}
		return true
	}
	var found uint64
	for i := 0; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		found |= (x - ones*0x20) &^ x
	}
	x := binary.LittleEndian.Uint64(b[len(b)-8:])
	found |= (x - ones*0x20) &^ x
	return found&highs == 0
}

// plain reports whether b is a JSON string body with no escape and no
// control character: its bytes are the string's.
func plain(b []byte) bool {
	for _, c := range b {
		if !plainInString[c] {
			return false
		}
	}
	return true
}

// decoder is what a reader keeps from one line to the next: the last
// entry time parsed, and a block that decoded lines are cut from, so that
// reading a log costs an allocation per block, not one per line. A line
// keeps its block alive while a caller holds it.
type decoder struct {
	raw   []byte
	t     time.Time
	block []byte
	// inPlace says the lines handed to the decoder are its own to change
	// and are done with before the next: decodeCommon returns slices of
	// them.
	inPlace bool
}

// lineBlock is the size of the blocks decoded lines are cut from; a line
// longer than a quarter of it gets a slice of its own.
const lineBlock = 64 << 10

// lineBuf returns an empty slice with room for n bytes, for a line being
// decoded; keep claims what was used.
func (d *decoder) lineBuf(n int) []byte {
	if d == nil || n > lineBlock/4 {
		return make([]byte, 0, n)
	}
	if cap(d.block)-len(d.block) < n {
		d.block = make([]byte, 0, lineBlock)
	}
	return d.block[len(d.block) : len(d.block) : len(d.block)+n]
}

// keep claims text, which lineBuf handed out, from the block, capped so
// that an append by the caller cannot reach the next line.
func (d *decoder) keep(text []byte) []byte {
	text = text[:len(text):len(text)]
	if d != nil && len(text) > 0 && cap(d.block) > len(d.block) && &d.block[:len(d.block)+1][len(d.block)] == &text[0] {
		d.block = d.block[:len(d.block)+len(text)]
	}
	return text
}

func (d *decoder) parse(raw []byte) (time.Time, error) {
	if d != nil && d.raw != nil && bytes.Equal(raw, d.raw) {
		return d.t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, string(raw))
	if err == nil && d != nil {
		d.raw, d.t = append(d.raw[:0], raw...), t
	}
	return t, err
}

// internStream avoids an allocation for the two names every entry has.
func internStream(b []byte) string {
	switch string(b) {
	case "stdout":
		return "stdout"
	case "stderr":
		return "stderr"
	}
	return string(b)
}

// unescape decodes a JSON string body from s (just after the opening
// quote) onto dst and returns it with what follows the closing quote.
// Invalid escapes report !ok; lone surrogates become U+FFFD as in
// encoding/json.
func unescape(dst, s []byte) (out, rest []byte, ok bool) {
	start := 0
	for i := 0; i < len(s); {
		i += plainPrefix(s[i:])
		if i == len(s) {
			break
		}
		switch s[i] {
		case '"':
			return append(dst, s[start:i]...), s[i+1:], true
		case '\\':
		default:
			return nil, nil, false
		}
		dst = append(dst, s[start:i]...)
		if i+1 >= len(s) {
			return nil, nil, false
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
			i += 2
		case 'n':
			dst = append(dst, '\n')
			i += 2
		case 'r':
			dst = append(dst, '\r')
			i += 2
		case 't':
			dst = append(dst, '\t')
			i += 2
		case 'b':
			dst = append(dst, '\b')
			i += 2
		case 'f':
			dst = append(dst, '\f')
			i += 2
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				return nil, nil, false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, ok2 = hex4(s[i+2:])
				}
				if ok2 {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						r = pair
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return nil, nil, false
		}
		start = i
	}
	return nil, nil, false
}

// plainString8 reports whether the eight bytes of x are all
// plainInString, with the bit tricks of "Bit Twiddling Hacks" (hasless,
// haszero), exact for any bytes: a log line's text is mostly such runs,
// skipped eight bytes at a time.
func plainString8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(ones*'"'), x^(ones*'\\')
	special := (x-ones*0x20)&^x | (quote-ones)&^quote | (backslash-ones)&^backslash
	return special&highs == 0
}

// plainInString[b] is true for bytes a JSON string holds as they are.
var plainInString = func() (t [256]bool) {
	for b := 0x20; b < 256; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

package jsonlog

import (
	"encoding/binary"
	"time"
	"unicode/utf8"
)

// maxLine is docker's log copier buffer: longer lines are cut into pieces
// of this size, written without a trailing newline.
const maxLine = 16 * 1024

const hexDigits = "0123456789abcdef"

// plainASCII[b] is true for ASCII bytes written as they are; every other
// byte below utf8.RuneSelf is escaped.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range `\"<>&` {
		t[b] = false
	}
	return t
}()

// appendEntry appends one json-file line for a log piece to dst, exactly as
// docker's jsonlog.JSONLogs.MarshalJSONBuf followed by a newline. tail is
// the precomputed `","stream":"NAME","time":"` and ts the formatted time.
func appendEntry(dst, piece []byte, newline bool, tail, ts []byte) []byte {
	dst = append(dst, `{"log":"`...)
	dst = appendEscaped(dst, piece)
	if newline {
		dst = append(dst, `\n`...)
	}
	dst = append(dst, tail...)
	dst = append(dst, ts...)
	return append(dst, `"}`+"\n"...)
}

// streamTail returns the part of an entry between the log text and the
// time value for a stream name.
func streamTail(stream string) []byte {
	b := []byte(`","stream":"`)
	b = appendEscaped(b, []byte(stream))
	return append(b, `","time":"`...)
}

// appendTime formats t as docker does: UTC, RFC 3339 with nanoseconds and
// trailing zeros dropped.
func appendTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, time.RFC3339Nano)
}

// appendEscaped appends s as the body of a JSON string the way docker's
// ffjsonWriteJSONBytesAsString does: \" \\ \n \r short escapes, every other
// control byte and <, >, & as \u00XX, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 as \u2028 and \u2029.
func appendEscaped(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && plainASCII8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
		}
		if i == len(s) || i+8 > len(s) && len(s) >= 8 && plainASCII8(binary.LittleEndian.Uint64(s[len(s)-8:])) {
			break // the last bytes, fewer than eight, in the word that ends s
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if plainASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRune(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// plainASCII8 reports whether the eight bytes of x are all plainASCII,
// with the bit tricks of plainString8: the text of a log line is mostly
// such runs, copied eight bytes at a time.
func plainASCII8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash, amp := x^(ones*'"'), x^(ones*'\\'), x^(ones*'&')
	angle := (x | ones*0x02) ^ (ones * '>') // '<' or '>'
	special := (x-ones*0x20)&^x | x | (quote-ones)&^quote | (backslash-ones)&^backslash |
		(amp-ones)&^amp | (angle-ones)&^angle
	return special&highs == 0
}

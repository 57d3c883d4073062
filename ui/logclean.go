package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// cleanLine makes a line safe to draw without its colours (a build's
// output): cleanLogLine's rule, colours stripped too.
func cleanLine(b []byte) string {
	text, styled := cleanLogLine(b)
	if styled {
		return ansi.Strip(text)
	}
	return text
}

// cleanLogLine makes a log line safe to draw and keeps its colours: no
// trailing newline, tabs expanded, SGR sequences (colour, bold,
// underline: ESC [ params m) kept, every other escape sequence (cursor
// moves, clears, titles, hyperlinks, mode changes) and control byte
// removed, so a line can never move the cursor or change the terminal.
// It says whether a kept SGR sequence styles the line.
func cleanLogLine(b []byte) (text string, styled bool) {
	s := strings.TrimRight(string(b), "\r\n")
	if isPlainLine(s) {
		return s, false
	}
	var out strings.Builder
	out.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			seq, n := escapeSequence(s[i:])
			if seq != "" {
				out.WriteString(seq)
				styled = true
			}
			i += n
		case c == '\t':
			out.WriteString("    ")
			i++
		case c < 0x20 || c == 0x7f:
			i++
		case c < utf8.RuneSelf:
			out.WriteByte(c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r >= 0x80 && r <= 0x9f { // C1 controls (CSI, OSC as one code point)
				i += n
				continue
			}
			out.WriteRune(r) // an invalid byte becomes U+FFFD
			i += n
		}
	}
	return out.String(), styled
}

// isPlainLine says s is printable ASCII only: nothing to clean.
func isPlainLine(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// escapeSequence reads the escape sequence at the start of s (s[0] is
// ESC): the sequence to keep (an SGR one, else "") and how many bytes
// it took. An unterminated sequence takes the rest of the line.
func escapeSequence(s string) (keep string, n int) {
	if len(s) < 2 {
		return "", len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E
		i := 2
		sgrParams := true
		for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
			if c := s[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
				sgrParams = false // a private mode (?, <, =, >)
			}
			i++
		}
		inter := i
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i >= len(s) {
			return "", len(s)
		}
		if s[i] < 0x40 || s[i] > 0x7e { // not a sequence: drop the introducer only
			return "", i
		}
		if s[i] == 'm' && sgrParams && inter == i {
			return s[:i+1], i + 1
		}
		return "", i + 1
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == 0x07:
				return "", i + 1
			case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
				return "", i + 2
			}
		}
		return "", len(s)
	}
	i := 1 // another escape: intermediates, then one final byte
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return "", i
}

package runopts

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnterminatedQuote is SplitWords' error for a quote or a backslash
// left open at the end of the text.
var ErrUnterminatedQuote = errors.New("unterminated quote")

// SplitWords splits a line typed where a shell would have split it (a
// command, a list of -e or -p values) into words, honouring single and
// double quotes and backslash escapes as a shell does for plain words;
// nothing is expanded.
func SplitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("%w in %q", ErrUnterminatedQuote, s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

package ui

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// logMatcher is what the logs screen searches or filters for: text,
// case-insensitive, or a regular expression (Go's syntax, also
// case-insensitive), matched against a line's text without its colours.
type logMatcher struct {
	query string
	regex bool
	lower string         // the query, lower case (text)
	re    *regexp.Regexp // the compiled query (regex)
}

// newLogMatcher compiles query; a regular expression that does not
// compile is an error naming it.
func newLogMatcher(query string, regex bool) (*logMatcher, error) {
	m := &logMatcher{query: query, regex: regex, lower: strings.ToLower(query)}
	if regex {
		re, err := regexp.Compile("(?i)" + query)
		if err != nil {
			return nil, fmt.Errorf("regular expression %q: %w", query, err)
		}
		m.re = re
	}
	return m, nil
}

// match says the line's plain text matches.
func (m *logMatcher) match(plain string) bool {
	if m.re != nil {
		return m.re.MatchString(plain)
	}
	if len(m.lower) > len(plain) {
		return false
	}
	return strings.Contains(strings.ToLower(plain), m.lower)
}

// spans are the byte ranges of plain that match (empty matches left out).
func (m *logMatcher) spans(plain string) [][]int {
	if m.re != nil {
		var out [][]int
		for _, sp := range m.re.FindAllStringIndex(plain, -1) {
			if sp[1] > sp[0] {
				out = append(out, sp)
			}
		}
		return out
	}
	lower := strings.ToLower(plain)
	if m.lower == "" || len(lower) != len(plain) {
		return nil
	}
	var out [][]int
	for off := 0; ; {
		i := strings.Index(lower[off:], m.lower)
		if i < 0 {
			return out
		}
		out = append(out, []int{off + i, off + i + len(m.lower)})
		off += i + len(m.lower)
	}
}

// describe is the query as the info line shows it.
func (m *logMatcher) describe() string {
	if m.regex {
		return "/" + m.query + "/"
	}
	return "“" + m.query + "”"
}

// highlight marks every match in a line; a coloured line that matches is
// drawn without its colours so the marks show.
func (m *logMatcher) highlight(text string, styled bool, mark func(...string) string) string {
	plain := text
	if styled {
		plain = ansi.Strip(text)
	}
	sp := m.spans(plain)
	if len(sp) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, s := range sp {
		b.WriteString(plain[last:s[0]])
		b.WriteString(mark(plain[s[0]:s[1]]))
		last = s[1]
	}
	b.WriteString(plain[last:])
	return b.String()
}

// plainText is a line's text without its colours.
func (l logLine) plainText() string {
	if l.styled {
		return ansi.Strip(l.text)
	}
	return l.text
}

// highlight wraps every case-insensitive occurrence of q in s with mark.
func highlight(s, q string, mark func(...string) string) string {
	m, _ := newLogMatcher(q, false) // text never fails to compile
	return m.highlight(s, false, mark)
}

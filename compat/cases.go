package compat

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Case is a few command lines run in order on both sides, in a fresh
// working directory; every line is compared.
type Case struct {
	Title string
	Line  int      // where the case starts in its file
	Steps []string // shell command lines (sh -c); `docker` is the side's CLI
	Masks []*regexp.Regexp
	// Why, when set, says why berth deliberately answers otherwise: such a
	// case is reported apart and is not a failure.
	Why string
}

// ParseCases reads the case file format: a case starts with "== title";
// "mask: REGEXP" hides what the case cannot make equal (a PID, a port the
// kernel picked; ^ and $ match at each line); "why: TEXT" says why berth differs on purpose; every
// other non-blank line is a command. Lines starting with "#" are comments.
func ParseCases(r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if title, ok := strings.CutPrefix(line, "== "); ok {
			cases = append(cases, Case{Title: strings.TrimSpace(title), Line: n})
			continue
		}
		if len(cases) == 0 {
			return nil, fmt.Errorf("line %d: %q before the first \"== title\"", n, line)
		}
		c := &cases[len(cases)-1]
		switch {
		case strings.HasPrefix(line, "mask:"):
			re, err := regexp.Compile("(?m)" + strings.TrimSpace(strings.TrimPrefix(line, "mask:")))
			if err != nil {
				return nil, fmt.Errorf("line %d: mask: %w", n, err)
			}
			c.Masks = append(c.Masks, re)
		case strings.HasPrefix(line, "why:"):
			c.Why = strings.TrimSpace(strings.TrimPrefix(line, "why:"))
		default:
			c.Steps = append(c.Steps, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, c := range cases {
		if len(c.Steps) == 0 {
			return nil, fmt.Errorf("line %d: case %q has no command", c.Line, c.Title)
		}
	}
	return cases, nil
}

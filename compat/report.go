package compat

import (
	"fmt"
	"io"
	"strings"
)

// Result is what one command line did on one side, output normalised.
type Result struct {
	Code   int
	Stdout string
	Stderr string
}

// Outcome is one case's results on both sides, step by step.
type Outcome struct {
	Case          Case
	Docker, Berth []Result
}

// Same says whether every step exited with the same code and printed the
// same standard output. Standard error is shown in diffs but not compared:
// Docker's messages come through a daemon ("Error response from daemon:")
// and their wording is not what scripts test; a case that cares redirects
// it with 2>&1.
func (o Outcome) Same() bool {
	for i := range o.Docker {
		if o.Docker[i].Code != o.Berth[i].Code || o.Docker[i].Stdout != o.Berth[i].Stdout {
			return false
		}
	}
	return true
}

// maxDiffLines bounds each step's diff in the report.
const maxDiffLines = 12

// Diff is a short account of the steps that differ: the command line, both
// exit codes, the lines only Docker printed (-) and only berth printed (+),
// and berth's first line of standard error when its exit code differs.
func (o Outcome) Diff() string {
	var b strings.Builder
	for i, step := range o.Case.Steps {
		d, bb := o.Docker[i], o.Berth[i]
		if d.Code == bb.Code && d.Stdout == bb.Stdout {
			continue
		}
		fmt.Fprintf(&b, "    $ %s\n", step)
		if d.Code != bb.Code {
			fmt.Fprintf(&b, "      exit: docker %d, berth %d\n", d.Code, bb.Code)
			if e := firstLine(bb.Stderr); e != "" {
				fmt.Fprintf(&b, "      berth stderr: %s\n", e)
			}
			if e := firstLine(d.Stderr); e != "" {
				fmt.Fprintf(&b, "      docker stderr: %s\n", e)
			}
		}
		lines := LineDiff(d.Stdout, bb.Stdout)
		for j, l := range lines {
			if j == maxDiffLines {
				fmt.Fprintf(&b, "      … %d more lines\n", len(lines)-j)
				break
			}
			fmt.Fprintf(&b, "      %s\n", printable(l))
		}
	}
	return b.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return printable(s)
}

// printable replaces control characters (a tar header echoed in an error)
// so that the report stays text.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && (r < ' ' || r == 0x7f) {
			return '?'
		}
		return r
	}, s)
}

// LineDiff compares a (Docker's) and b (berth's) line by line, through
// their longest common subsequence, and returns the lines that differ:
// "- " for a line only in a, "+ " for one only in b.
func LineDiff(a, b string) []string {
	x, y := splitLines(a), splitLines(b)
	// lcs[i][j] is the length of the longest common subsequence of x[i:]
	// and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j == len(y) || (i < len(x) && lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+x[i])
			i++
		default:
			out = append(out, "+ "+y[j])
			j++
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Report writes the figure ("N same of M"), then each case that differs
// with its diff, then the cases where berth differs on purpose with their
// reasons, and those whose reason no longer holds. It returns how many
// cases differ without a reason.
func Report(w io.Writer, outcomes []Outcome) int {
	var same, deliberate, stale []Outcome
	var differ []Outcome
	for _, o := range outcomes {
		switch {
		case o.Same() && o.Case.Why != "":
			stale = append(stale, o)
			same = append(same, o)
		case o.Same():
			same = append(same, o)
		case o.Case.Why != "":
			deliberate = append(deliberate, o)
		default:
			differ = append(differ, o)
		}
	}
	fmt.Fprintf(w, "%d same of %d (%d differ, %d differ on purpose)\n", len(same), len(outcomes), len(differ), len(deliberate))
	if len(differ) > 0 {
		fmt.Fprintf(w, "\ndiffering:\n")
		for _, o := range differ {
			fmt.Fprintf(w, "  %s (cases.txt:%d)\n%s", o.Case.Title, o.Case.Line, o.Diff())
		}
	}
	if len(deliberate) > 0 {
		fmt.Fprintf(w, "\ndiffering on purpose (not failures):\n")
		for _, o := range deliberate {
			fmt.Fprintf(w, "  %s (cases.txt:%d)\n    why: %s\n%s", o.Case.Title, o.Case.Line, o.Case.Why, o.Diff())
		}
	}
	if len(stale) > 0 {
		fmt.Fprintf(w, "\nsame although marked as differing on purpose (remove the why:):\n")
		for _, o := range stale {
			fmt.Fprintf(w, "  %s (cases.txt:%d)\n", o.Case.Title, o.Case.Line)
		}
	}
	return len(differ)
}

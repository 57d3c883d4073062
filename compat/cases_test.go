package compat

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestParseCases(t *testing.T) {
	in := `# comment
== first
docker run --rm busybox true

== second: with mask and why
docker ps
mask: pid \d+
why: berth has no daemon
docker ps -a
`
	cases, err := ParseCases(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("got %d cases", len(cases))
	}
	if c := cases[0]; c.Title != "first" || c.Line != 2 || len(c.Steps) != 1 || c.Why != "" {
		t.Errorf("first: %+v", c)
	}
	c := cases[1]
	if c.Title != "second: with mask and why" || len(c.Steps) != 2 || c.Steps[1] != "docker ps -a" ||
		c.Why != "berth has no daemon" || len(c.Masks) != 1 || c.Masks[0].String() != `(?m)pid \d+` {
		t.Errorf("second: %+v", c)
	}
}

func TestParseCasesErrors(t *testing.T) {
	for _, in := range []string{
		"docker ps\n",                  // a command before any case
		"== empty\n== next\ndocker ps", // a case without a command
		"== bad mask\nmask: (\ndocker ps",
	} {
		if _, err := ParseCases(strings.NewReader(in)); err == nil {
			t.Errorf("ParseCases(%q): no error", in)
		}
	}
}

// cases.txt itself parses, and each title names one case.
func TestCasesFile(t *testing.T) {
	f, err := os.Open("cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := ParseCases(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, c := range cases {
		if prev, ok := seen[c.Title]; ok {
			t.Errorf("cases.txt:%d: title %q already used at line %d", c.Line, c.Title, prev)
		}
		seen[c.Title] = c.Line
		for _, m := range c.Masks {
			if hidesID(c, m) {
				t.Errorf("cases.txt:%d: mask %q hides part of a container ID", c.Line, m)
			}
		}
	}
	if len(cases) < 100 {
		t.Errorf("cases.txt has %d cases, want about a hundred or more", len(cases))
	}
}

// hidesID reports whether mask, applied to every line of case c, would
// match in a container ID that a `run -d` or `create` step prints: a mask
// is for what cannot be equal (a PID), and the IDs are numbered by the
// normaliser already. The line is trimmed before its mask is compiled, so
// a trailing blank in "mask: ^[0-9]+ " is lost; this catches that.
func hidesID(c Case, mask *regexp.Regexp) bool {
	printsID := false
	for _, s := range c.Steps {
		printsID = printsID || strings.Contains(s, "run -d") || strings.Contains(s, "create ")
	}
	if !printsID {
		return false
	}
	for _, id := range []string{
		"9bae739198364c91085b02b6389d91130b656ff1e6165ee32103de3fdbfa8aa0",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"bae739198364c91085b02b6389d91130b656ff1e6165ee32103de3fdbfa8aa01",
	} {
		if mask.MatchString(id) {
			return true
		}
	}
	return false
}

package compat

import (
	"regexp"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	id := "4f1d0c0e2a7b9c3d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5"
	id2 := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		n    Normaliser
		in   string
		want string
	}{
		{"plain text stays", Normaliser{}, "hello\nworld\n", "hello\nworld\n"},
		{"trailing blanks go", Normaliser{}, "a  \nb\t\n", "a\nb\n"},
		{"full and short ID are one ID", Normaliser{}, id + "\n" + id[:12], "<id1>\n<id1>"},
		{"IDs numbered by first appearance", Normaliser{}, id2[:12] + " " + id[:12] + " " + id2, "<id1> <id2> <id1>"},
		{"digest", Normaliser{}, "sha256:" + id, "sha256:<id1>"},
		{"11 hex digits are not an ID", Normaliser{}, "abcdef01234", "abcdef01234"},
		{"13 hex digits are not an ID", Normaliser{}, "abcdef0123456", "abcdef0123456"},
		{"RFC 3339 nano", Normaliser{}, "2026-12-06T22:49:50.269416773Z stdout", "<time> stdout"},
		{"RFC 3339 with offset", Normaliser{}, "at 2026-12-06T22:49:50+01:00.", "at <time>."},
		{"time.String", Normaliser{}, "2026-12-06 22:49:50 +0000 UTC", "<time>"},
		{"unix seconds and nanos", Normaliser{}, `"time":1765061390,"timeNano":1765061390123456789`, `"time":<unixtime>,"timeNano":<unixtime>`},
		{"small numbers stay", Normaliser{}, "exit 137 pid 4242", "exit 137 pid 4242"},
		{"up duration", Normaliser{}, "Up 3 seconds", "Up <duration>"},
		{"up less than a second", Normaliser{}, "Up Less than a second", "Up <duration>"},
		{"exited ago", Normaliser{}, "Exited (2) About a minute ago", "Exited (2) <duration> ago"},
		{"sizes", Normaliser{}, "0B 4.3MB 12.5 kB 1MiB (virtual 1.2GB)", "<size> <size> <size> <size> (virtual <size>)"},
		{"memory flag value is not a size", Normaliser{}, "-m 64m", "-m 64m"},
		{"version numbers stay", Normaliser{}, "20.10.24 1.41", "20.10.24 1.41"},
		{"addresses", Normaliser{}, "172.17.0.2/16 via 10.0.0.1", "<ip>/16 via <ip>"},
		{"loopback and any stay", Normaliser{}, "0.0.0.0:8080->80/tcp 127.0.0.1", "0.0.0.0:8080->80/tcp 127.0.0.1"},
		{"mac", Normaliser{}, "02:42:ac:11:00:02", "<mac>"},
		{"table padding", Normaliser{}, "NAME     STATUS\nweb      Up 2 seconds   ", "NAME  STATUS\nweb  Up <duration>"},
		{"single spaces stay", Normaliser{}, "a b  c", "a b  c"},
		{"literals longest first", Normaliser{Literals: map[string]string{"/tmp/x": "<cwd>", "/tmp/x/root": "<root>"}},
			"/tmp/x/root/v /tmp/x/f", "<root>/v <cwd>/f"},
		{"generated names by first appearance", Normaliser{Names: []string{"b_c", "a_b"}}, "a_b b_c a_b a_bc", "<name1> <name2> <name1> a_bc"},
		{"masks", Normaliser{Masks: []*regexp.Regexp{regexp.MustCompile(`pid \d+`)}}, "pid 4242 exit 1", "<masked> exit 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.Normalise(tt.in); got != tt.want {
				t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// One Normaliser serves all steps of a case: an ID keeps its number.
func TestNormaliseKeepsNumbersAcrossSteps(t *testing.T) {
	a := strings.Repeat("a", 64)
	b := strings.Repeat("b", 64)
	var n Normaliser
	if got := n.Normalise(a); got != "<id1>" {
		t.Fatalf("first step: %q", got)
	}
	if got := n.Normalise(b[:12] + " " + a[:12]); got != "<id2> <id1>" {
		t.Fatalf("second step: %q", got)
	}
}

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

func TestLineDiff(t *testing.T) {
	tests := []struct {
		a, b string
		want []string
	}{
		{"x\ny\n", "x\ny\n", nil},
		{"", "", nil},
		{"x\n", "", []string{"- x"}},
		{"", "x\n", []string{"+ x"}},
		{"a\nb\nc\n", "a\nB\nc\n", []string{"- b", "+ B"}},
		{"a\nb\n", "b\nc\n", []string{"- a", "+ c"}},
	}
	for _, tt := range tests {
		got := LineDiff(tt.a, tt.b)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("LineDiff(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestReport(t *testing.T) {
	same := Result{Code: 0, Stdout: "ok\n"}
	outcomes := []Outcome{
		{Case: Case{Title: "alike", Steps: []string{"docker ps"}}, Docker: []Result{same}, Berth: []Result{same}},
		{Case: Case{Title: "unlike", Line: 7, Steps: []string{"docker ps"}}, Docker: []Result{same},
			Berth: []Result{{Code: 125, Stdout: "", Stderr: "berth: bad flag\n"}}},
		{Case: Case{Title: "binary", Steps: []string{"docker build -"}}, Docker: []Result{same},
			Berth: []Result{{Code: 1, Stderr: "tar\x00header\n"}}},
		{Case: Case{Title: "on purpose", Steps: []string{"docker info"}, Why: "no daemon"}, Docker: []Result{same},
			Berth: []Result{{Stdout: "other\n"}}},
		{Case: Case{Title: "stale reason", Steps: []string{"docker ps"}, Why: "old"}, Docker: []Result{same}, Berth: []Result{same}},
	}
	var b strings.Builder
	if n := Report(&b, outcomes); n != 2 {
		t.Errorf("Report counted %d failures, want 2", n)
	}
	out := b.String()
	for _, want := range []string{
		"2 same of 5 (2 differ, 1 differ on purpose)",
		"unlike (cases.txt:7)\n    $ docker ps\n      exit: docker 0, berth 125\n      berth stderr: berth: bad flag\n      - ok\n",
		"why: no daemon",
		"+ other",
		"remove the why:):\n  stale reason",
		"berth stderr: tar?header",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

package compat

import (
	"strings"
	"testing"
)

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

package api

import (
	"bytes"
	"reflect"
	"testing"

	"berth/images"
)

func TestParseStepLine(t *testing.T) {
	for _, tc := range []struct {
		line        string
		n, count    int
		instruction string
		ok          bool
	}{
		{"STEP 1/3: FROM busybox", 1, 3, "FROM busybox", true},
		{"Step 2/3 : RUN echo a:b", 2, 3, "RUN echo a:b", true},
		{"STEP 4/3: nonsense", 0, 0, "", false},
		{"STEP x/3: nonsense", 0, 0, "", false},
		{"step 1/3: lower case is RUN output", 0, 0, "", false},
		{"--> CACHED", 0, 0, "", false},
		{"", 0, 0, "", false},
	} {
		n, count, in, ok := parseStepLine(tc.line)
		if n != tc.n || count != tc.count || in != tc.instruction || ok != tc.ok {
			t.Errorf("parseStepLine(%q) = %d, %d, %q, %v", tc.line, n, count, in, ok)
		}
	}
}

// TestLogTextSteps: the remote fallback passes the log on unchanged and
// reads each step's start, its cache line and its end from it, lines
// split across writes included.
func TestLogTextSteps(t *testing.T) {
	var out bytes.Buffer
	var got []images.BuildStep
	s := newLogTextSteps(&out, func(st images.BuildStep) { got = append(got, st) })
	log := []string{"STEP 1/2: FROM busy", "box\n", "STEP 2/2: RUN make\n--> CACHED\n", "Successfully built 0123456789ab\n"}
	for _, w := range log {
		if _, err := s.Write([]byte(w)); err != nil {
			t.Fatal(err)
		}
	}
	s.finish()
	want := []images.BuildStep{
		{Number: 1, Count: 2, Instruction: "FROM busybox"},
		{Number: 1, Count: 2, Instruction: "FROM busybox", Done: true},
		{Number: 2, Count: 2, Instruction: "RUN make"},
		{Number: 2, Count: 2, Instruction: "RUN make", Cached: true, Done: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", got, want)
	}
	if out.String() != "STEP 1/2: FROM busybox\nSTEP 2/2: RUN make\n--> CACHED\nSuccessfully built 0123456789ab\n" {
		t.Errorf("the log passed on: %q", out.String())
	}
}

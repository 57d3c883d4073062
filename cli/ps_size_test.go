package cli

import (
	"strings"
	"testing"
)

// TestPsSizeFromTemplate: as docker's ps, a --format that asks for .Size
// (also through {{json .}} and --format json) measures sizes as -s does,
// unless -q or --size=false; a .Size the template does not reach does not.
func TestPsSizeFromTemplate(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		wantSize bool
	}{
		{[]string{"--format", "{{.Size}}"}, true},
		{[]string{"--format", "{{json .}}"}, true},
		{[]string{"--format", "json"}, true},
		{[]string{"--format", `table {{.Names}}\t{{.Size}}`}, true},
		{[]string{"--format", "{{.Names}}"}, false},
		{[]string{"--format", "{{if false}}{{.Size}}{{end}}{{.Names}}"}, false},
		{[]string{"--format", "{{.Size}}", "--size=false"}, false},
		{[]string{"--format", "{{.Size}}", "-q"}, false},
		{[]string{"-s", "--format", "{{.Names}}"}, true},
		{nil, false},
		{[]string{"-q"}, false},
	} {
		eng := &fakeEngine{containers: psFixture()}
		r := runCLI(t, withImages(testSystem(eng), &fakeImages{imgs: imagesFixture()}), append([]string{"ps"}, tt.args...)...)
		if r.code != 0 || eng.listOpts.Size != tt.wantSize {
			t.Errorf("ps %q: code %d (%s), sizes asked %v, want %v", tt.args, r.code, r.stderr, eng.listOpts.Size, tt.wantSize)
		}
	}
	eng := &fakeEngine{containers: psFixture()}
	r := runCLI(t, withImages(testSystem(eng), &fakeImages{imgs: imagesFixture()}), "ps", "--format", "{{.Names}} {{.Size}}")
	if !strings.Contains(r.stdout, "web 1.2kB (virtual ") {
		t.Errorf("ps --format with .Size printed %q, want web's size", r.stdout)
	}
	// docker runs the template over an empty row first: one that cannot
	// run there fails the command.
	if r := runCLI(t, testSystem(&fakeEngine{}), "ps", "--format", "{{slice .ID 0 3}}"); r.code != 1 || !strings.Contains(r.stderr, "failed to execute template") {
		t.Errorf("ps with a template that fails on an empty row: code %d, stderr %q", r.code, r.stderr)
	}
}

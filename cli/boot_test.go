package cli

import (
	"errors"
	"strings"
	"testing"

	"berth/engine"
)

// system boot prints what it started and removed, and an error line for
// each container it could not start, which makes it exit 1.
func TestSystemBoot(t *testing.T) {
	tests := []struct {
		name   string
		boot   []engine.BootResult
		code   int
		stdout string
		stderr string
	}{
		{name: "nothing to do", code: 0},
		{name: "started and removed", code: 0,
			boot:   []engine.BootResult{{ID: "a1", Name: "web", Started: true}, {ID: "b2", Name: "tmp", Removed: true}},
			stdout: "Started web\nRemoved tmp\n"},
		{name: "one failed", code: 1,
			boot: []engine.BootResult{{ID: "a1", Name: "web", Started: true},
				{ID: "c3", Name: "db", Err: errors.New("start db: mount overlay: no such file")}},
			stdout: "Started web\n", stderr: "Error: db: start db: mount overlay: no such file"},
		{name: "unreadable record", code: 1,
			boot:   []engine.BootResult{{ID: "c0ffee", Err: errors.New("container record cannot be read")}},
			stderr: "Error: c0ffee: container record cannot be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEngine{boot: tc.boot}
			res := runCLI(t, testSystem(f), "system", "boot")
			if res.code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", res.code, tc.code, res.stderr)
			}
			if res.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", res.stdout, tc.stdout)
			}
			if !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr %q lacks %q", res.stderr, tc.stderr)
			}
		})
	}
	if res := runCLI(t, testSystem(&fakeEngine{}), "system", "boot", "extra"); res.code != 125 {
		t.Errorf("system boot extra: exit %d, want 125", res.code)
	}
}

package cli

import (
	"errors"
	"strings"
	"testing"

	"berth/engine"
	"berth/host/runopts"
)

// TestCreateErrorCodes: as docker create, an error the daemon reports (the
// engine's Create) exits 1 with no pointer to --help; a flag the CLI
// cannot parse exits 125; run exits 125 for both.
func TestCreateErrorCodes(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		wantCode int
		wantErr  string
		wantHelp bool
	}{
		{[]string{"create", "--pull", "never", "nosuch"}, 1, "unable to find image 'nosuch' locally", false},
		{[]string{"run", "--pull", "never", "nosuch"}, 125, "unable to find image 'nosuch' locally", true},
		{[]string{"create", "--cpus", "x", "busybox"}, 125, "failed to parse x as a rational number", true},
		{[]string{"run", "--cpus", "x", "busybox"}, 125, "failed to parse x as a rational number", true},
		{[]string{"create", "--nosuchflag", "busybox"}, 125, "unknown flag: --nosuchflag", true},
	} {
		eng := &fakeEngine{missingImage: "nosuch"}
		r := runCLI(t, testSystem(eng), tt.args...)
		if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantErr) {
			t.Errorf("%s: code %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.wantCode, tt.wantErr)
		}
		if help := strings.Contains(r.stderr, "--help'"); help != tt.wantHelp {
			t.Errorf("%s: stderr %q points to --help: %v, want %v", strings.Join(tt.args, " "), r.stderr, help, tt.wantHelp)
		}
	}
}

func TestCreateError(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"the daemon's", runopts.DaemonSide(errors.New("name in use")), 1},
		{"the daemon's, wrapped", runopts.DaemonSide(&engine.ExitError{Code: 125, Err: errors.New("x")}), 1},
		{"a code of its own", runopts.DaemonSide(&statusError{err: errNeedsRoot, code: exitBerth}), 125},
		{"the CLI's", errors.New("invalid argument"), 125},
	} {
		if got := exitCode(createError("berth create", tt.err)); got != tt.want {
			t.Errorf("%s: exit code %d, want %d", tt.name, got, tt.want)
		}
	}
	if runopts.DaemonSide(nil) != nil {
		t.Error("runopts.DaemonSide(nil) is not nil")
	}
}

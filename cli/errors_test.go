package cli

import (
	"errors"
	"fmt"
	"testing"

	"berth/engine"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain error", errors.New("x"), 1},
		{"some failed", errSomeFailed, 1},
		{"usage", usageError("berth run", errors.New("unknown flag: --x")), 125},
		{"run error", runError("berth run", errors.New("no such image")), 125},
		{"container code", exitStatus(3), 3},
		{"container code 0", exitStatus(0), 0},
		{"not found command", runError("berth run", &engine.ExitError{Code: 127, Err: errors.New("not found")}), 127},
		{"not executable", runError("berth run", &engine.ExitError{Code: 126, Err: errors.New("permission denied")}), 126},
		{"wrapped engine error", fmt.Errorf("start web: %w", &engine.ExitError{Code: 127, Err: errors.New("x")}), 127},
		{"engine's own failure", runError("berth run", &engine.ExitError{Code: 125, Err: errors.New("x")}), 125},
		{"needs root", &statusError{err: errNeedsRoot, code: exitBerth}, 125},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{exitStatus(2), ""},
		{errSomeFailed, ""},
		{errors.New("no such container: x"), "berth: no such container: x.\n"},
		{errors.New("ends with a dot."), "berth: ends with a dot.\n"},
		{usageError("berth run", errors.New("unknown flag: --badflag")), "berth: unknown flag: --badflag.\nSee 'berth run --help'.\n"},
	}
	for _, tt := range tests {
		if tt.err == nil {
			continue
		}
		if got := errorMessage(tt.err); got != tt.want {
			t.Errorf("errorMessage(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

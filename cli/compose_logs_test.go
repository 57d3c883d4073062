package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/compose"
	"berth/engine"
)

func TestComposeLogPrinter(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 0, 0, 120000000, time.UTC)
	lines := []compose.LogLine{
		{Name: "web-1", Service: "web", Entry: engine.LogEntry{Stream: "stdout", Time: at, Line: []byte("hello\n")}},
		{Name: "worker-1", Service: "worker", Entry: engine.LogEntry{Stream: "stderr", Time: at, Line: []byte("no newline")}},
	}
	tests := []struct {
		name                      string
		split, extra              bool
		color, prefix, timestamps bool
		stdout, stderr            string
	}{
		{name: "prefixes padded to the widest", prefix: true,
			stdout: "web-1     | hello\nworker-1  | no newline\nweb-1 exited with code 3\n"},
		{name: "no prefix", stdout: "hello\nno newline\nweb-1 exited with code 3\n"},
		{name: "timestamps after the prefix", prefix: true, timestamps: true,
			stdout: "web-1     | 2026-12-07T05:00:00.120000000Z hello\nworker-1  | 2026-12-07T05:00:00.120000000Z no newline\nweb-1 exited with code 3\n"},
		{name: "colours in turn", prefix: true, color: true,
			stdout: "\x1b[36mweb-1     | \x1b[0mhello\n\x1b[33mworker-1  | \x1b[0mno newline\n\x1b[36mweb-1 exited with code 3\x1b[0m\n"},
		{name: "a name not expected: the next colour, its own width", prefix: true, color: true, extra: true,
			stdout: "\x1b[36mweb-1     | \x1b[0mhello\n\x1b[33mworker-1  | \x1b[0mno newline\n\x1b[32mscaled-worker-12  | \x1b[0mlate\n\x1b[36mweb-1 exited with code 3\x1b[0m\n"},
		{name: "stderr apart (attached up)", split: true, prefix: true,
			stdout: "web-1     | hello\nweb-1 exited with code 3\n", stderr: "worker-1  | no newline\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			var errW *strings.Builder
			if tt.split {
				errW = &stderr
			}
			p := newComposeLogPrinter(&stdout, nil, []string{"web-1", "worker-1"}, tt.color, tt.prefix, tt.timestamps)
			if errW != nil {
				p.stderr = errW
			}
			for _, l := range lines {
				if err := p.line(l); err != nil {
					t.Fatal(err)
				}
			}
			if tt.extra {
				if err := p.line(compose.LogLine{Name: "scaled-worker-12", Entry: engine.LogEntry{Line: []byte("late\n")}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.exit(compose.Exit{Name: "web-1", Service: "web", ExitCode: 3}); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tt.stdout || stderr.String() != tt.stderr {
				t.Errorf("stdout %q, stderr %q\nwant   %q, %q", stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

func TestComposeColor(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		noColor  bool
		env      string
		envSet   bool
		want     bool
	}{
		{name: "terminal", terminal: true, want: true},
		{name: "not a terminal", terminal: false, want: false},
		{name: "--no-color", terminal: true, noColor: true, want: false},
		{name: "NO_COLOR", terminal: true, env: "1", envSet: true, want: false},
		{name: "NO_COLOR empty", terminal: true, env: "", envSet: true, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := hostSystem()
			sys.isTerminal = func(any) bool { return tt.terminal }
			sys.lookupEnv = func(k string) (string, bool) {
				if k == "NO_COLOR" {
					return tt.env, tt.envSet
				}
				return "", false
			}
			a := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, sys)
			if got := a.composeColor(tt.noColor); got != tt.want {
				t.Errorf("composeColor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestComposeAttachFlagsCheck(t *testing.T) {
	tests := []struct {
		name         string
		flags        composeAttachFlags
		detach, wait bool
		want         string
		abort        bool
	}{
		{name: "attached"},
		{name: "exit-code-from implies abort", flags: composeAttachFlags{exitCodeFrom: "web"}, abort: true},
		{name: "both aborts", flags: composeAttachFlags{abortOnExit: true, abortOnFailure: true},
			want: "--abort-on-container-failure cannot be combined with --abort-on-container-exit"},
		{name: "detach and abort", detach: true, flags: composeAttachFlags{abortOnExit: true},
			want: "--detach cannot be combined with"},
		{name: "detach and exit-code-from", detach: true, flags: composeAttachFlags{exitCodeFrom: "web"},
			want: "--detach cannot be combined with"},
		{name: "wait and attach", wait: true, flags: composeAttachFlags{attach: []string{"web"}},
			want: "--wait cannot be combined with"},
		{name: "attach and attach-dependencies", flags: composeAttachFlags{attach: []string{"web"}, attachDependencies: true},
			want: "cannot combine --attach and --attach-dependencies"},
		{name: "detach and no-attach", detach: true, flags: composeAttachFlags{noAttach: []string{"web"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flags.check(tt.detach, tt.wait)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("check: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("check: %v, want %q", err, tt.want)
			}
			if tt.want == "" && tt.flags.abortOnExit != tt.abort {
				t.Errorf("abort on exit %v, want %v", tt.flags.abortOnExit, tt.abort)
			}
		})
	}
}

func TestComposeAttachTo(t *testing.T) {
	no := false
	p := &types.Project{Name: "p", Services: types.Services{
		"web":    {Name: "web", WorkloadSpec: types.WorkloadSpec{DependsOn: types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted, Required: true}}}},
		"db":     {Name: "db"},
		"quiet":  {Name: "quiet", Attach: &no},
		"worker": {Name: "worker"},
	}}
	tests := []struct {
		name     string
		flags    composeAttachFlags
		services []string
		want     string
	}{
		{name: "all but attach: false", want: "db web worker"},
		{name: "the services given", services: []string{"web"}, want: "web"},
		{name: "with their dependencies", services: []string{"web"}, flags: composeAttachFlags{attachDependencies: true}, want: "db web"},
		{name: "--attach", flags: composeAttachFlags{attach: []string{"quiet", "worker"}}, want: "quiet worker"},
		{name: "--no-attach", flags: composeAttachFlags{noAttach: []string{"db"}}, want: "web worker"},
		{name: "--attach unknown", flags: composeAttachFlags{attach: []string{"nope"}}, want: "error: cannot attach to services not included in up: nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flags.attachTo(p, tt.services)
			text := strings.Join(got, " ")
			if err != nil {
				text = "error: " + err.Error()
			}
			if text != tt.want {
				t.Errorf("attachTo = %q, want %q", text, tt.want)
			}
		})
	}
}

func TestLogServices(t *testing.T) {
	no := false
	p := &types.Project{Name: "p", Services: types.Services{"web": {Name: "web"}, "quiet": {Name: "quiet", Attach: &no}}}
	tests := []struct {
		name string
		p    *types.Project
		args []string
		want string
	}{
		{name: "the file's, but attach: false", p: p, want: "[web]"},
		{name: "named, even attach: false", p: p, args: []string{"quiet"}, want: "[quiet]"},
		{name: "unknown", p: p, args: []string{"nope"}, want: "error: no such service: nope"},
		{name: "no file: every one", want: "[]"},
		{name: "no file, named", args: []string{"x"}, want: "[x]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := logServices(tt.p, tt.args)
			text := "[" + strings.Join(got, " ") + "]"
			if err != nil {
				text = "error: " + err.Error()
			}
			if text != tt.want {
				t.Errorf("logServices = %q, want %q", text, tt.want)
			}
		})
	}
}

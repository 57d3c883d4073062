package cli

import (
	"io"
	"testing"
)

func TestCommandName(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"ps", "-a"}, "ps"},
		{[]string{"--root", "/x", "exec", "-it", "box", "sh"}, "exec"},
		{[]string{"--root=/x", "--log-level", "debug", "run", "busybox"}, "run"},
		{[]string{"--host=ssh://h", "--context", "c", "logs", "web"}, "logs"},
		{[]string{"--run-root", "ps"}, ""}, // "ps" is --run-root's value
		{[]string{"--help"}, ""},
		{[]string{"-h", "ps"}, ""},
		{[]string{"--version"}, ""},
		{[]string{"--nope", "ps"}, ""},
		{[]string{"--", "ps"}, ""},
		{[]string{"help", "run"}, "help"},
		{[]string{"sp"}, "sp"},
	} {
		if got := commandName(tc.args); got != tc.want {
			t.Errorf("commandName(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// Every builder builds the command it is filed under, and a command line
// that names one builds the root and that command only.
func TestCommandBuilders(t *testing.T) {
	a := newApp(nil, io.Discard, io.Discard, hostSystem())
	builders := a.commandBuilders()
	for name, build := range builders {
		if got := build().Name(); got != name {
			t.Errorf("builder %q builds %q", name, got)
		}
	}
	if n := len(a.rootCommand("").Commands()); n != len(builders)+1 { // and help
		t.Errorf("the whole tree has %d commands, want %d and help", n, len(builders))
	}
	cmds := a.rootCommand("ps").Commands()
	if len(cmds) != 2 || cmds[0].Name() != "help" && cmds[1].Name() != "help" {
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name())
		}
		t.Errorf("berth ps built %q, want ps and help", names)
	}
	if n := len(a.rootCommand("sp").Commands()); n != len(builders)+1 {
		t.Errorf("a mistyped command built %d commands, want all %d for the suggestion", n, len(builders)+1)
	}
	if n := len(a.rootCommand(tuiName).Commands()); n != 0 {
		t.Errorf("the full-screen program built %d commands, want none", n)
	}
}

func TestOpensTUI(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--root", "/x", "--run-root=/r", "--config", "c.json", "--host", "ssh://h", "--log-level", "debug"}, true},
		{[]string{"--context", "c"}, true},
		{[]string{"ps"}, false},
		{[]string{"--root", "/x", "ps"}, false},
		{[]string{"--help"}, false},
		{[]string{"-h"}, false},
		{[]string{"--version"}, false},
		{[]string{"--nope"}, false},
		{[]string{"--"}, false},
		{[]string{"sp"}, false},
	} {
		if got := opensTUI(tc.args); got != tc.want {
			t.Errorf("opensTUI(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// BenchmarkCommandTree is the CLI's own start: the command tree a short
// command builds, beside the whole tree every command built before.
func BenchmarkCommandTree(b *testing.B) {
	for _, name := range []string{"exec", ""} {
		label := name
		if label == "" {
			label = "whole"
		}
		b.Run(label, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = newApp(nil, io.Discard, io.Discard, hostSystem()).rootCommand(name)
			}
		})
	}
}

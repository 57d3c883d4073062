package ui

import (
	"regexp"
	"strings"
	"testing"
)

// TestEndToEndAttachWithoutATerminal attaches, full screen then in a
// pane, to a container without a terminal whose shell exits 130 on
// SIGINT: the hint names the detach keys, the lines start at the left
// (no staircase), ctrl-c does not reach it as a signal, and ctrl-p
// ctrl-q detaches though its stdin is closed.
func TestEndToEndAttachWithoutATerminal(t *testing.T) {
	b := newBerthBinary(t)
	b.must(nil, "run", "-d", "--name", "plain", "busybox", "sh", "-c",
		`trap "exit 130" INT; i=0; while :; do i=$((i+1)); echo line-$i; sleep 0.2; done`)
	s := b.startTUI()
	s.waitFor("plain up", func(scr string) bool { return regexp.MustCompile(`plain .* Up `).MatchString(scr) })

	s.send("a")
	s.waitText("ctrl-p ctrl-q detaches")
	s.waitFor("lines drawn from the left margin", func(scr string) bool {
		return regexp.MustCompile(`(?m)^line-\d+\s*\n^line-\d+\s*\n^line-\d+`).MatchString(scr)
	})
	s.send("C-c")
	lastLine := regexp.MustCompile(`line-(\d+)\s*$`)
	before := lastLine.FindString(strings.TrimSpace(s.capture()))
	s.waitFor("more lines after ctrl-c", func(scr string) bool {
		return lastLine.FindString(strings.TrimSpace(scr)) != before
	})
	s.send("C-p", "C-q")
	s.waitText("back from the attach of plain")
	if got := strings.TrimSpace(b.must(nil, "inspect", "-f", "{{.State.Status}}", "plain")); got != "running" {
		t.Fatalf("after ctrl-c and detaching, plain is %q", got)
	}

	s.send("A")
	s.waitText("attach: plain")
	s.waitFor("pane lines drawn from the pane's left border", func(scr string) bool {
		return regexp.MustCompile(`(?m)│line-\d+ +│\n.*│line-\d+ +│`).MatchString(scr)
	})
	s.send("C-c", "C-p", "C-q")
	s.waitFor("the pane closed", func(scr string) bool { return !strings.Contains(scr, "attach: plain") })
	if got := strings.TrimSpace(b.must(nil, "inspect", "-f", "{{.State.Status}}", "plain")); got != "running" {
		t.Fatalf("after ctrl-c and detaching the pane, plain is %q", got)
	}
}

// TestEndToEndQuitFinishesAStop stops a container that ignores SIGTERM,
// quits while the stop waits, and finds the container stopped all the
// same: berth's CLI, detached, carried the stop to its kill.
func TestEndToEndQuitFinishesAStop(t *testing.T) {
	b := newBerthBinary(t)
	// sh as PID 1 without a trap ignores SIGTERM.
	b.must(nil, "run", "-d", "--name", "stubborn", "--stop-timeout", "4", "busybox", "sh", "-c", "while :; do sleep 1; done")
	s := b.startTUI()
	s.waitFor("stubborn up", func(scr string) bool { return regexp.MustCompile(`stubborn .* Up `).MatchString(scr) })
	s.send("x")
	s.waitText("Stopping…")
	s.waitText("stopping stubborn…")
	s.send("q")
	s.waitQuit()
	b.waitCLI("stubborn, stopped during the quit, is exited", func(out string) bool { return out == "exited" },
		"inspect", "-f", "{{.State.Status}}", "stubborn")
}

// TestEndToEndAttachTerminals attaches full screen to containers on a
// terminal: with stdin (-it) the keys reach the shell, ctrl-c included
// as a key; without stdin (-t) the detach keys still work.
func TestEndToEndAttachTerminals(t *testing.T) {
	b := newBerthBinary(t)
	b.must(nil, "run", "-dit", "--name", "shell", "busybox", "sh")
	b.must(nil, "run", "-dt", "--name", "watch", "busybox", "sh", "-c", `i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.2; done`)
	s := b.startTUI()
	s.waitText("CONTAINERS 2/2")

	s.send("a") // shell, the first row
	s.waitText("attached to shell · ctrl-p ctrl-q detaches")
	s.sendText("echo tty-$((2*3))")
	s.send("Enter")
	s.waitText("tty-6")
	s.sendText("sleep 1000")
	s.send("Enter", "C-c")
	s.sendText("echo after-$((4*4))")
	s.send("Enter")
	s.waitText("after-16")
	s.send("C-p", "C-q")
	s.waitText("back from the attach of shell")

	s.send("j", "a") // watch
	s.waitText("attached to watch (its stdin is closed: what you type is not sent)")
	s.waitText("tick-")
	s.send("C-c", "C-p", "C-q")
	s.waitText("back from the attach of watch")
	s.waitText("CONTAINERS 2/2")
}

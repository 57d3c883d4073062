package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stubbornProject is a project whose one service ignores SIGTERM (sh
// as PID 1 without a trap): its stop waits out stop_grace_period.
const stubbornProject = `name: stubbornproj
services:
  app:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 8s
    command: ["sh", "-c", "while :; do sleep 1; done"]
`

// TestEndToEndQuitFinishesAComposeDown takes a project down, quits while
// the down waits for its stubborn container, and finds the project down
// all the same: berth's CLI, detached, carried the down to its end.
func TestEndToEndQuitFinishesAComposeDown(t *testing.T) {
	b := newBerthBinary(t)
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(stubbornProject), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must(nil, "compose", "-f", file, "up", "-d")
	s := b.startTUI()
	s.waitText("▾ stubbornproj · 1 service")
	s.waitText("1/1 running")

	s.send("D")
	s.waitText("Take project stubbornproj down?")
	s.send("y")
	s.waitText("Removing…") // the heading; the status line has the down's own lines
	s.send("q")
	s.waitQuit()
	b.waitCLI("stubbornproj, taken down during the quit, has no containers", func(out string) bool { return out == "" },
		"ps", "-aq", "--filter", "label=com.docker.compose.project=stubbornproj")
}

// waitQuit waits for the program to quit: its tmux session ends.
func (s *tmuxSession) waitQuit() {
	s.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := s.tmux("has-session", "-t", "ui"); err != nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("q did not quit:\n%s", s.capture())
		}
	}
}

// waitCLI runs berth's CLI with args until ok holds of its output (what
// says what that means), for at most 30s: what berth's CLI, handed an
// action by the program, does after it quits.
func (b *berthBinary) waitCLI(what string, ok func(out string) bool, args ...string) {
	b.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out := strings.TrimSpace(b.must(nil, args...))
		if ok(out) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited 30s for %s: %q", what, out)
		}
	}
}

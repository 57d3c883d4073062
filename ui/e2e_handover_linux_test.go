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
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.tmux("has-session", "-t", "ui"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.capture())
		}
		time.Sleep(100 * time.Millisecond)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		left := strings.TrimSpace(b.must(nil, "ps", "-aq", "--filter", "label=com.docker.compose.project=stubbornproj"))
		if left == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s after quitting during its down, stubbornproj still has containers %q", left)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

package ui

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEndToEndCompose opens the real binary on a project `berth compose
// up` started: the project's heading with its health, the logs of every
// service, stop and start from the heading, down.
func TestEndToEndCompose(t *testing.T) {
	b := newBerthBinary(t)
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(projectFile), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must(nil, "compose", "-f", file, "up", "-d")
	s := b.startTUI()

	s.waitText("▾ tuiproj · 2 services")
	s.waitText("3/3 running")
	s.waitText("worker ×2")

	s.send("l")
	s.waitText("Logs: tuiproj")
	s.waitText("web-1    | web says hello")
	s.waitText("worker-2 | worker says hello")

	s.send("Escape", "x")
	s.waitText("Stop project tuiproj?")
	s.send("y")
	s.waitText("0/3 running · 3 completed")
	s.send("s")
	s.waitText("3/3 running")

	s.send("z")
	s.waitText("▸ tuiproj")
	s.send("D")
	s.waitText("Take project tuiproj down?")
	s.send("y")
	s.waitText("project tuiproj is down")
	s.waitText("CONTAINERS 0/0")
}

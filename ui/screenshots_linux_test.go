package ui

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestScreenshots writes a capture of every screen, with colours, as ANSI
// text: BERTH_SCREENSHOTS=dir go test ./ui -run TestScreenshots. It
// drives the real binary in tmux over three demo containers; turning the
// captures into PNGs (freeze) is the screenshots script's job.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("BERTH_SCREENSHOTS")
	if dir == "" {
		t.Skip("BERTH_SCREENSHOTS is not set: nothing to write")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := newBerthBinary(t)
	b.must(nil, "run", "-d", "--name", "demo-web", "--network", "host", "busybox", "httpd", "-f", "-p", "127.0.0.1:0", "-h", "/")
	b.must(nil, "run", "-d", "--name", "demo-logger", "-m", "64m", "busybox", "sh", "-c",
		`i=0; while :; do i=$((i+1)); echo "request $i served in $((i % 97))ms"; [ $((i % 10)) = 0 ] && echo "warning: slow request $i" >&2; sleep 0.2; done`)
	b.must(nil, "run", "-d", "--name", "demo-disk", "--pids-limit", "64", "busybox", "sh", "-c",
		"while :; do dd if=/dev/urandom of=/tmp/blob bs=1M count=8 conv=fsync 2>/dev/null; cat /tmp/blob >/dev/null; sleep 1; done")
	s := b.startTUI()
	s.waitText("CONTAINERS 3/3")
	time.Sleep(5 * time.Second) // sparklines and rates need samples

	shoot := func(name string) {
		t.Helper()
		time.Sleep(1500 * time.Millisecond)
		out, err := s.tmux("capture-pane", "-e", "-p", "-t", "ui")
		if err != nil {
			t.Fatalf("capture %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".ansi"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Rows by name: demo-disk, demo-logger, demo-web.
	shoot("containers")
	s.send("j", "l")
	s.waitText("Logs: demo-logger")
	shoot("logs")
	s.send("/")
	s.sendText("warning")
	s.send("Enter")
	shoot("logs-search")
	s.send("Escape", "Escape", "k", "t") // the first esc clears the search
	s.waitText("Top: demo-disk")
	time.Sleep(2 * time.Second)
	shoot("top")
	s.send("E")
	s.waitText("shell: demo-disk")
	s.sendText("ls /; ps")
	s.send("Enter")
	shoot("shell-pane")
	s.send("C-]", "X", "Escape", "i")
	s.waitText("Inspect: demo-disk")
	shoot("inspect")
	s.send("Escape", "h")
	s.waitText("Timeline: demo-disk")
	shoot("timeline")
	s.send("Escape", "K")
	shoot("kill-menu")
	s.send("Escape", "?")
	shoot("help")
	s.send("Escape", "n")
	s.sendText("busybox")
	shoot("run-form")
	s.send("Escape", "Tab")
	s.waitText("Layers of busybox:latest")
	shoot("images")
	s.send("Tab")
	s.waitText("following")
	shoot("events")
}

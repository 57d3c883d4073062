package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"berth/api"
	"berth/internal/testenv"
	"berth/ui"
)

// TestTUIAttachPaneRemote attaches a pane of the TUI, through berth's
// API as for another machine, to a container without a terminal or
// stdin: its lines end in CRLF, and ctrl-p ctrl-q ends the session
// (the program reads the detach keys itself; the API stream had to end
// with the session's context).
func TestTUIAttachPaneRemote(t *testing.T) {
	a := newAPIEnv(t)
	a.must("run", "-d", "--name", "plain", "busybox", "sh", "-c", "while :; do echo line; sleep 0.2; done")
	rc, err := api.Dial(api.Endpoint{Host: a.host})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	b := ui.NewEngineBackend(rc)
	term, err := b.OpenTerminal(t.Context(), "plain", ui.SessionAttach, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	out := &testenv.LockedBuffer{}
	go func() { _, _ = io.Copy(out, term) }()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "line\r\nline\r\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no CRLF lines from the attach: %q", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := term.Write([]byte{0x03, 0x10, 0x11}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- term.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the detach ended the pane with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ctrl-p ctrl-q did not end the pane's attach")
	}
	if status := a.inspect(".State.Status", "plain"); status != "running" {
		t.Fatalf("plain is %s after ctrl-c and the detach, want running", status)
	}
}

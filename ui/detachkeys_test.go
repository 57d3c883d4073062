package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"berth/engine"
	"berth/ptyexec"
)

// TestConfiguredDetachKeys: the detach-keys setting names the keys in the
// full-screen hint and the pane's title, and a bad one stops the program
// before it starts.
func TestConfiguredDetachKeys(t *testing.T) {
	keys, err := parseDetachKeys("ctrl-x,x")
	if err != nil {
		t.Fatal(err)
	}
	c := &engine.Container{Config: engine.ContainerConfig{OpenStdin: true, Tty: true}}
	if got, want := attachHint("web", c, keys), "berth: attached to web · ctrl-x x detaches\r\n"; got != want {
		t.Errorf("hint %q, want %q", got, want)
	}
	if _, err := newModel(context.Background(), oneHost(demoBackend()), Options{DetachKeys: "ctrl-X"}); !errors.Is(err, ptyexec.ErrInvalidDetachKeys) {
		t.Errorf("a program with detach keys ctrl-X started: %v", err)
	}

	b := demoBackend()
	b.terminal = newFakeTerminal()
	m := newTestModelWith(t, b, Options{NoColor: true, DetachKeys: "ctrl-x,x"})
	m = press(t, m, "G", "A")
	m = await(t, m, "the attach pane", panes(1))
	if s := screen(m); !strings.Contains(s, "attach: web · ctrl-x x detaches") {
		t.Errorf("the attach pane's title does not name ctrl-x x:\n%s", s)
	}
}

// TestKeyboardDetachesOnTheConfiguredKeys: with ctrl-x,x the attach's
// keyboard passes docker's default through to the container and detaches
// on its own keys.
func TestKeyboardDetachesOnTheConfiguredKeys(t *testing.T) {
	keys, err := parseDetachKeys("ctrl-x,x")
	if err != nil {
		t.Fatal(err)
	}
	in, typed := io.Pipe()
	detached := make(chan struct{})
	kb := startKeyboard(in, true, keys, func() { close(detached) })
	defer kb.stop()
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 16)
		n, _ := io.ReadAtLeast(kb.stdin, buf, 3)
		got <- string(buf[:n])
	}()
	if _, err := typed.Write([]byte("a\x10\x11\x18x")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-detached:
	case <-time.After(10 * time.Second):
		t.Fatal("ctrl-x x did not detach")
	}
	if s := <-got; s != "a\x10\x11" {
		t.Errorf("the container got %q, want %q", s, "a\x10\x11")
	}
}

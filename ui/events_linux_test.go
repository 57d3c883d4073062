package ui

import (
	"regexp"
	"testing"

	"berth/engine"
	"berth/host"
)

// TestEventsScreenOnTheEngine opens the events screen over the real
// engine and runs a container: its create, start and die show on the
// screen as they happen, then a filter keeps only its die.
func TestEventsScreenOnTheEngine(t *testing.T) {
	b := newBerthBinary(t).engineBackend()
	m := newTestModel(t, b)
	m = press(t, m, "tab", "tab")
	if m.state != stateEvents {
		t.Fatalf("tab tab opened %s", m.state)
	}
	m = await(t, m, "the stream", func(m model) bool { return m.events.loaded })

	if _, err := b.Run(t.Context(), engine.CreateOptions{Name: "evented", Config: engine.ContainerConfig{Image: "busybox:latest",
		Cmd: []string{"sh", "-c", "exit 3"}}}, host.PullNever); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"create", "start", "die"} {
		re := regexp.MustCompile(`container +` + action + ` +evented`)
		m = await(t, m, "evented's "+action, func(m model) bool { return re.MatchString(screen(m)) })
	}
	if !regexp.MustCompile(`die +evented +exited with code 3`).MatchString(screen(m)) {
		t.Errorf("die without its exit code:\n%s", screen(m))
	}
	m = press(t, m, "/")
	m = typeText(t, m, "event=die evented")
	m = press(t, m, "enter")
	if len(m.events.rows) != 1 || m.events.rows[0].Action != "die" {
		t.Errorf("event=die evented: %d rows:\n%s", len(m.events.rows), screen(m))
	}
	m = press(t, m, "enter")
	if m.state != stateTimeline || m.timeline.name != "evented" {
		t.Errorf("enter on evented's die opened %s on %q", m.state, m.timeline.name)
	}
	m.closeAll()
}

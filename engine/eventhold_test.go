package engine

import (
	"slices"
	"testing"
)

// A held container's events wait for the release, in order; another
// container's, and those naming none, go at once.
func TestEventHold(t *testing.T) {
	var h eventHold
	var got []string
	emit := func(what string) func() { return func() { got = append(got, what) } }
	release := h.hold("a")
	h.emit("a", emit("connect a"))
	h.emit("b", emit("connect b"))
	h.emit("", emit("create network"))
	h.emit("a", emit("disconnect a"))
	if want := []string{"connect b", "create network"}; !slices.Equal(got, want) {
		t.Fatalf("before the release: %v, want %v", got, want)
	}
	release()
	if want := []string{"connect b", "create network", "connect a", "disconnect a"}; !slices.Equal(got, want) {
		t.Fatalf("after the release: %v, want %v", got, want)
	}
	h.emit("a", emit("connect a again"))
	if got[len(got)-1] != "connect a again" {
		t.Fatalf("after the release the events of a wait still: %v", got)
	}
}

package ui

import (
	"strings"
	"testing"
)

func TestMenuFirstAndLast(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "G", "K") // the kill menu on web
	m = press(t, m, "G", "enter")
	last := signalChoices[len(signalChoices)-1]
	press(t, m, "K", "j", "j", "g", "enter")
	want := []string{"kill " + id('a') + " " + last, "kill " + id('a') + " " + signalChoices[0]}
	if got := b.callLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
}

package ui

import (
	"strings"
	"testing"
)

// d on an image in use is refused as docker rmi refuses it; force is an
// explicit second choice, never the default.
func TestImageInUseIsNotRemovedWithoutForce(t *testing.T) {
	b := demoBackend()
	m := newTestModel(t, b)
	m = press(t, m, "tab", "j", "d") // busybox, used by 3 containers
	if !strings.Contains(screen(m), "busybox:latest is used by 3 containers: rmi refuses") {
		t.Fatalf("d on an image in use:\n%s", screen(m))
	}
	m = press(t, m, "y", "enter") // neither yes nor enter removes it
	if got := b.callLog(); len(got) != 0 || m.dialog != nil {
		t.Fatalf("an image in use was removed without force: %q", got)
	}
	m = press(t, m, "d", "G", "enter")
	m = press(t, m, "j", "d", "y") // the dangling image: no container uses it
	want := []string{"rmi busybox:latest force=true", "rmi sha256:" + id('2') + " force=false"}
	if got := b.callLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(screen(m), "removed image "+shortID("sha256:"+id('2'))) {
		t.Errorf("status:\n%s", screen(m))
	}
}

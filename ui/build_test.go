package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stillSpinner resets the build's spinner to its first frame, so a
// golden view does not depend on how many ticks a test happened to run.
func stillSpinner(m model) model {
	if m.images.build != nil {
		b := *m.images.build
		b.spin = newBuildSpinner()
		m.images.build = &b
	}
	return m
}

func TestImagesBuild(t *testing.T) {
	b := demoBackend()
	b.buildGate = make(chan struct{})
	m := newTestModel(t, b)
	m = press(t, m, "tab", "B")
	if m.state != stateBuildForm {
		t.Fatalf("B opened %s", m.state)
	}
	m = typeText(t, m, "app:1")
	m = press(t, m, "up")
	m = typeText(t, m, "build/Dockerfile.dev")
	golden(t, "build_form", m)
	m = press(t, m, "enter")
	if m.state != stateImages {
		t.Fatalf("after the form the screen is %s", m.state)
	}
	m = settleLate(t, m)
	m = stillSpinner(m)
	golden(t, "images_build", m)
	want := fmt.Sprintf("build . %s [\"app:1\"]", filepath.Join(".", "build/Dockerfile.dev"))
	if got := b.callLog(); len(got) != 1 || got[0] != want {
		t.Errorf("calls %q, want %q", got, want)
	}
	out := screen(m)
	for _, want := range []string{"Building app:1 from .", "step 2/3", "hello from RUN", "esc cancels"} {
		if !strings.Contains(out, want) {
			t.Errorf("the build pane lacks %q:\n%s", want, out)
		}
	}
	if !m.images.build.running || m.images.build.step != 2 || m.images.build.steps != 3 {
		t.Errorf("build running %v at step %d/%d", m.images.build.running, m.images.build.step, m.images.build.steps)
	}

	close(b.buildGate)
	m = settleLate(t, m)
	out = screen(m)
	for _, want := range []string{"✓ Built app:1 (555555555555)", "Successfully tagged app:1", "built app:1 (555555555555)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the finished build lacks %q:\n%s", want, out)
		}
	}
	if !slices.ContainsFunc(m.images.list, func(im Image) bool { return im.Repository == "app" && im.Tag == "1" }) {
		t.Error("the image list was not refreshed with the new image")
	}
	// esc closes the finished build's pane: the layers come back.
	m = press(t, m, "esc")
	if m.images.build != nil || !strings.Contains(screen(m), "Layers of") {
		t.Errorf("esc did not close the build pane:\n%s", screen(m))
	}
}

func TestImagesBuildFails(t *testing.T) {
	b := demoBackend()
	b.buildFail = errors.New(`RUN echo hello from RUN: returned a non-zero code: 1`)
	m := newTestModel(t, b)
	m = press(t, m, "tab", "B")
	m = typeText(t, m, "app:2")
	m = press(t, m, "enter")
	m = settleLate(t, m)
	out := screen(m)
	for _, want := range []string{"✗ Build of app:2 failed", "ERROR: RUN echo hello from RUN: returned a non-zero code: 1", "✗ build app:2: RUN"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failed build lacks %q:\n%s", want, out)
		}
	}
	if m.images.build.running {
		t.Error("the failed build still runs")
	}
}

func TestImagesBuildCancel(t *testing.T) {
	b := demoBackend()
	b.buildGate = make(chan struct{})
	m := newTestModel(t, b)
	m = press(t, m, "tab", "B", "enter")
	m = settleLate(t, m)
	// esc asks first; n keeps the build, esc and y cancel it.
	m = press(t, m, "esc")
	if m.dialog == nil || !strings.Contains(screen(m), "Cancel the build of an image?") {
		t.Fatalf("esc did not ask before cancelling:\n%s", screen(m))
	}
	m = press(t, m, "n")
	if m.images.build == nil || !m.images.build.running {
		t.Fatal("n cancelled the build")
	}
	m = press(t, m, "esc", "y")
	m = settleLate(t, m)
	if m.images.build == nil || m.images.build.running || !strings.Contains(screen(m), "build of an image cancelled") {
		t.Errorf("y did not cancel the build:\n%s", screen(m))
	}
	// A second build while none runs is fine; B during one is refused.
	b.buildGate = make(chan struct{})
	m = press(t, m, "B", "enter")
	m = settleLate(t, m)
	m = press(t, m, "B", "enter")
	if !strings.Contains(screen(m), "build: "+ErrBusy.Error()) {
		t.Errorf("a second build at once was not refused:\n%s", screen(m))
	}
	close(b.buildGate)
	m = settleLate(t, m)
}

func TestBuildFormRejectsBadInput(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "tab", "B")
	m = typeText(t, m, "Bad:Tag!")
	m = press(t, m, "enter")
	if m.state != stateBuildForm || !strings.Contains(screen(m), `tag "Bad:Tag!"`) {
		t.Errorf("a bad tag was accepted:\n%s", screen(m))
	}
	m = press(t, m, "esc")
	if m.state != stateImages {
		t.Errorf("esc left the form for %s", m.state)
	}
}

// TestBuildLogScrolls: the log follows its end until the user scrolls
// up (tab focuses it), stays put while lines arrive, and follows again
// at the bottom.
func TestBuildLogScrolls(t *testing.T) {
	b := newBuildModel(BuildRequest{ContextDir: "."}, func() {}).setSize(80, 11)
	lines := func(from, n int) []string {
		var out []string
		for i := from; i < from+n; i++ {
			out = append(out, fmt.Sprintf("line %d", i))
		}
		return out
	}
	b = b.absorb(lines(0, 50))
	if !b.log.AtBottom() || !strings.Contains(b.log.View(), "line 49") {
		t.Fatalf("the log does not follow its end:\n%s", b.log.View())
	}
	b = b.scroll(-5)
	top := b.log.YOffset()
	b = b.absorb(lines(50, 10))
	if b.log.YOffset() != top || strings.Contains(b.log.View(), "line 59") {
		t.Errorf("the log moved while scrolled up: offset %d, was %d", b.log.YOffset(), top)
	}
	b = b.scroll(100)
	b = b.absorb(lines(60, 1))
	if !strings.Contains(b.log.View(), "line 60") {
		t.Errorf("the log does not follow again at the bottom:\n%s", b.log.View())
	}
	b = b.absorb(lines(61, buildLogMax))
	if len(b.lines) != buildLogMax || b.lines[0] != "line 61" {
		t.Errorf("the log keeps %d lines from %q", len(b.lines), b.lines[0])
	}
}

func TestBuildLogFocus(t *testing.T) {
	b := demoBackend()
	b.buildGate = make(chan struct{})
	m := newTestModel(t, b)
	m = press(t, m, "tab", "B", "enter")
	m = settleLate(t, m)
	m = press(t, m, "tab")
	if m.state != stateImages || !m.images.build.focused {
		t.Fatalf("tab did not focus the build log (state %s)", m.state)
	}
	cursor := m.images.nav.Cursor
	m = press(t, m, "j")
	if m.images.nav.Cursor != cursor {
		t.Error("j moved the list while the log has the focus")
	}
	m = press(t, m, "tab")
	if m.state != stateEvents {
		t.Errorf("tab from the log went to %s", m.state)
	}
	m = press(t, m, "tab")
	if m.state != stateContainers {
		t.Errorf("tab from the events went to %s", m.state)
	}
	m = press(t, m, "tab")
	if m.state != stateImages || m.images.build.focused {
		t.Errorf("back on images the log keeps the focus")
	}
	close(b.buildGate)
	m = settleLate(t, m)
}

func TestBuildRequestOf(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		context, dockerfile, tags string
		want                      BuildRequest
		err                       string
	}{
		{"context only", ".", "", "", BuildRequest{ContextDir: "."}, ""},
		{"dockerfile in the context", "/src/app", "build/Dockerfile", "app:1",
			BuildRequest{ContextDir: "/src/app", Dockerfile: "/src/app/build/Dockerfile", Tags: []string{"app:1"}}, ""},
		{"absolute dockerfile", "ctx", "/tmp/Dockerfile", "app:1, app:latest  registry.local:5000/team/app",
			BuildRequest{ContextDir: "ctx", Dockerfile: "/tmp/Dockerfile", Tags: []string{"app:1", "app:latest", "registry.local:5000/team/app"}}, ""},
		{"no context", "", "", "app", BuildRequest{}, "a context directory is required"},
		{"bad tag", ".", "", "UPPER", BuildRequest{}, `tag "UPPER"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildRequestOf(tc.context, tc.dockerfile, tc.tags)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.ContextDir != tc.want.ContextDir || got.Dockerfile != tc.want.Dockerfile || !slices.Equal(got.Tags, tc.want.Tags) {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestLineWriter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		want   []string
	}{
		{"whole lines", []string{"a\nb\n"}, []string{"a", "b"}},
		{"split across writes", []string{"hel", "lo\nwor", "ld\n"}, []string{"hello", "world"}},
		{"crlf", []string{"dos\r\n"}, []string{"dos"}},
		{"unfinished last line", []string{"a\nno end"}, []string{"a", "no end"}},
		{"empty lines", []string{"\n\n"}, []string{"", ""}},
		{"endless line", []string{strings.Repeat("x", lineWriterMax+1)}, []string{strings.Repeat("x", lineWriterMax+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			w := &lineWriter{emit: func(l string) { got = append(got, l) }}
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.flush()
			if !slices.Equal(got, tc.want) {
				t.Errorf("lines %q, want %q", got, tc.want)
			}
		})
	}
}

// TestBuildOutlivesTheScreen: a build keeps streaming while another
// screen is on view, and its end refreshes the list.
func TestBuildOutlivesTheScreen(t *testing.T) {
	b := demoBackend()
	b.buildGate = make(chan struct{})
	m := newTestModel(t, b)
	m = press(t, m, "tab", "B")
	m = typeText(t, m, "later:1")
	m = press(t, m, "enter")
	m = settleLate(t, m)
	m = press(t, m, "tab", "tab", "tab") // the build log, the events, the containers
	if m.state != stateContainers {
		t.Fatalf("tab went to %s", m.state)
	}
	close(b.buildGate)
	m = settleLate(t, m)
	if m.images.build == nil || m.images.build.running || !strings.Contains(screen(m), "built later:1") {
		t.Errorf("the build did not finish off screen:\n%s", screen(m))
	}
}

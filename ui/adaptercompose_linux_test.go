package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"berth/compose"
	"berth/engine"
)

// projectFile is a compose project of busybox containers with no
// network (so the test makes no bridge): a web and two worker replicas
// that say hello and stop at once on SIGTERM.
const projectFile = `name: tuiproj
services:
  web:
    image: busybox:latest
    network_mode: none
    command: ["sh", "-c", "trap 'exit 0' TERM; echo web says hello; while :; do sleep 1; done"]
  worker:
    image: busybox:latest
    network_mode: none
    scale: 2
    command: ["sh", "-c", "trap 'exit 0' TERM; echo worker says hello; while :; do sleep 1; done"]
`

// TestEngineBackendCompose brings a real project up through the
// adapter, then drives the screen over it: the project grouped, its
// services' logs interleaved and prefixed, up again from the labels of
// its containers (nothing recreated), restart, down.
func TestEngineBackendCompose(t *testing.T) {
	b := newBerthBinary(t).engineBackend()
	ctx := t.Context()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(projectFile), 0o644); err != nil {
		t.Fatal(err)
	}

	// Labels without a file to read are refused before anything is made.
	if err := b.ComposeUp(ctx, map[string]string{compose.LabelProject: "tuiproj"}, func(string) {}); err == nil || !strings.Contains(err.Error(), "do not name its compose file") {
		t.Errorf("up without a file: %v", err)
	}
	var progress []string
	labels := map[string]string{compose.LabelProject: "tuiproj", compose.LabelWorkingDir: dir, compose.LabelConfigFiles: file}
	if err := b.ComposeUp(ctx, labels, func(l string) { progress = append(progress, l) }); err != nil {
		t.Fatalf("compose up: %v\n%s", err, strings.Join(progress, "\n"))
	}
	if len(progress) == 0 {
		t.Error("up reported no progress")
	}
	ids := func() []string {
		list, err := b.List(ctx, engine.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	before := ids()

	m := newTestModel(t, b)
	want := []string{"[tuiproj]", " tuiproj-web-1", " [tuiproj worker]", "  tuiproj-worker-1", "  tuiproj-worker-2"}
	if got := rowNames(m); !slices.Equal(got, want) {
		t.Fatalf("rows\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(screen(m), "3/3 running") {
		t.Errorf("the heading's health:\n%s", screen(m))
	}

	m = press(t, m, "l")
	m = await(t, m, "every service's first line", func(m model) bool {
		s := screen(m)
		return strings.Contains(s, "web-1     | web says hello") && strings.Contains(s, "worker-1  | worker says hello") &&
			strings.Contains(s, "worker-2  | worker says hello")
	})
	m = press(t, m, "esc")

	m = press(t, m, "U")
	m = await(t, m, "up from the containers' labels", func(m model) bool { return strings.Contains(screen(m), "project tuiproj is up") })
	if after := ids(); !slices.Equal(after, before) {
		t.Errorf("up of an unchanged project recreated containers: %q, then %q", before, after)
	}

	m = press(t, m, "r")
	m = await(t, m, "the restart", func(m model) bool { return strings.Contains(screen(m), "restarted project tuiproj") })

	m = press(t, m, "D", "y")
	m = await(t, m, "the down", func(m model) bool { return strings.Contains(screen(m), "project tuiproj is down") })
	if left := ids(); len(left) != 0 {
		t.Errorf("down left containers %q", left)
	}
}

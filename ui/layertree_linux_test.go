package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/engine"
	"berth/host"
	"berth/images"
)

// A real image whose second RUN deletes the big file its first wrote:
// the backend reads its layers from the store and counts the waste, and
// the screen shows it.
func TestEngineBackendLayerFiles(t *testing.T) {
	bin := newBerthBinary(t)
	e, err := engine.New(engine.Options{Root: bin.root, RunRoot: bin.runRoot, CgroupRoot: "/sys/fs/cgroup",
		CgroupParent: bin.parent, Exe: bin.path})
	if err != nil {
		t.Fatal(err)
	}
	b := NewEngineBackend(host.Local{Engine: e})
	ctx := t.Context()
	dir := t.TempDir()
	df := "FROM busybox:latest\nRUN dd if=/dev/zero of=/big bs=1024 count=2048\nRUN echo hi > /hello\nRUN rm /big\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	var log []string
	id, err := b.Build(ctx, BuildRequest{ContextDir: dir, Tags: []string{"wasteful:1"}}, func(l string) { log = append(log, l) }, func(BuildStep) {})
	if err != nil {
		t.Fatalf("build: %v\n%s", err, strings.Join(log, "\n"))
	}
	a, err := b.LayerFiles(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	const big = 2048 * 1024
	if len(a.Layers) != 4 || a.Wasted != big || a.Layers[1].Wasted != big || len(a.Waste) != 1 || a.Waste[0].Path != "/big" {
		t.Fatalf("layers %d, wasted %d, waste %+v", len(a.Layers), a.Wasted, a.Waste)
	}
	if !strings.Contains(a.Layers[1].Instruction, "dd if=/dev/zero") || !strings.Contains(a.Layers[3].Instruction, "rm /big") {
		t.Errorf("instructions %q, %q", a.Layers[1].Instruction, a.Layers[3].Instruction)
	}
	var removed bool
	for _, en := range a.Layers[3].Entries {
		removed = removed || (en.Path == "/big" && en.Change == images.FileRemoved && en.Size == big)
	}
	if !removed {
		t.Errorf("the last layer does not remove /big: %+v", a.Layers[3].Entries)
	}

	m := newTestModel(t, b)
	m = press(t, m, "tab")
	m = await(t, m, "the image listed", func(m model) bool { return strings.Contains(screen(m), "wasteful") })
	for i, r := range m.images.rows {
		if r.Repository == "wasteful" {
			m.images.nav.Cursor = i
		}
	}
	m = press(t, m, "l")
	m = await(t, m, "the layers read", func(m model) bool { return m.layerFiles.loaded })
	if out := screen(m); !strings.Contains(out, "wasteful:1 · 4 layers") || !strings.Contains(out, "wasted 2.10MB") {
		t.Errorf("the layers screen:\n%s", out)
	}
}

package cli

import (
	"os"
	"strings"
	"testing"
	"time"

	"berth/images"
)

func TestHistoryGolden(t *testing.T) {
	store := &fakeImages{imgs: imagesFixture(), history: []images.History{
		{ID: imagesFixture()[0].ID, Created: testNow.Add(-10 * time.Minute), CreatedBy: "/bin/sh -c #(nop)  CMD [\"sh\"]", EmptyLayer: true},
		{Created: testNow.Add(-15 * 24 * time.Hour), CreatedBy: "/bin/sh -c #(nop) ADD file:6d1c7a6ba4b10bd1fa2b2c0f3bd9d3bb4a1a2b6b in /\t", Size: 4_261_000, Comment: "Imported from tarball"},
	}}
	sys := withImages(testSystem(&fakeEngine{}), store)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"history", []string{"history", "busybox"}},
		{"history_no_trunc_raw", []string{"history", "--no-trunc", "-H=false", "busybox"}},
		{"history_quiet", []string{"history", "-q", "busybox"}},
		{"history_json", []string{"history", "--format", "json", "busybox"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, sys, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d err %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}
	if r := runCLI(t, sys, "history", "nope"); r.code != 1 || !strings.Contains(r.stderr, "no such image") {
		t.Errorf("history nope: code %d err %q", r.code, r.stderr)
	}
}

func TestSaveAndLoad(t *testing.T) {
	store := &fakeImages{imgs: imagesFixture()}
	sys := withImages(testSystem(&fakeEngine{}), store)

	r := runCLI(t, sys, "save", "busybox", "app:2")
	if r.code != 0 || r.stdout != "ARCHIVE:busybox,app:2" {
		t.Errorf("save to stdout: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	out := t.TempDir() + "/app.tar"
	if r := runCLI(t, sys, "save", "-o", out, "busybox"); r.code != 0 || r.stdout != "" {
		t.Errorf("save -o: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "ARCHIVE:busybox" {
		t.Errorf("saved file %q, %v", data, err)
	}
	bad := t.TempDir() + "/bad.tar"
	if r := runCLI(t, sys, "save", "-o", bad, "nope"); r.code != 1 {
		t.Errorf("save of a missing image: code %d", r.code)
	}
	if entries, _ := os.ReadDir(strings.TrimSuffix(bad, "/bad.tar")); len(entries) != 0 {
		t.Errorf("a failed save left %v", entries)
	}
	term := sys
	term.isTerminal = func(any) bool { return true }
	if r := runCLI(t, term, "save", "busybox"); r.code != 125 || !strings.Contains(r.stderr, "cowardly refusing to save to a terminal") {
		t.Errorf("save to a terminal: code %d err %q", r.code, r.stderr)
	}

	want := "Loaded image: app:1\nLoaded image: app:latest\nLoaded image ID: sha256:" + strings.Repeat("0", 64) + "\n"
	if r := runCLI(t, sys, "load", "-i", out); r.code != 0 || r.stdout != want || store.loadedFrom != "ARCHIVE:busybox" {
		t.Errorf("load -i: code %d out %q err %q from %q", r.code, r.stdout, r.stderr, store.loadedFrom)
	}
	if r := runCLI(t, sys, "load", "-i", t.TempDir()); r.code != 0 || r.stdout != "Loaded image: oci:1\n" {
		t.Errorf("load -i dir: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, term, "load"); r.code != 125 || !strings.Contains(r.stderr, "stdin is empty") {
		t.Errorf("load from a terminal: code %d err %q", r.code, r.stderr)
	}
	if r := runCLI(t, sys, "load", "-i", "/nonexistent.tar"); r.code != 1 {
		t.Errorf("load of a missing file: code %d", r.code)
	}
}

func TestPrune(t *testing.T) {
	fixture := func() (*fakeEngine, *fakeImages) {
		cs := psFixture()
		cs[2].Image = "sha256:" + imagesFixture()[2].ID
		return &fakeEngine{containers: cs}, &fakeImages{imgs: imagesFixture()}
	}
	eng, store := fixture()
	sys := withImages(testSystem(eng), store)
	r := runCLI(t, sys, "image", "prune")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "Are you sure you want to continue? [y/N] ") || len(store.pruned) != 0 {
		t.Errorf("image prune declined: code %d out %q pruned %v", r.code, r.stdout, store.pruned)
	}
	r = runCLI(t, sys, "image", "prune", "-af")
	if r.code != 0 || r.stdout != "Deleted Images:\nuntagged: app:2\ndeleted: sha256:abcd\n\nTotal reclaimed space: 1.23MB\n" {
		t.Errorf("image prune -af: code %d out %q err %q", r.code, r.stdout, r.stderr)
	}
	if o := store.pruned[0]; !o.All {
		t.Errorf("prune options %+v", o)
	} else if c, used := o.InUse(imagesFixture()[2].ID); !used || c != "0123456789ab" {
		t.Errorf("InUse(app:2's image) = %q, %v", c, used)
	}

	eng, store = fixture()
	sys = withImages(testSystem(eng), store)
	var stdout, stderr strings.Builder
	cfg := t.TempDir() + "/c.json"
	writeTestFile(t, cfg, "{}")
	code := run([]string{"--config", cfg, "system", "prune"}, newApp(strings.NewReader("y\n"), &stdout, &stderr, sys))
	removed := strings.Join(eng.calls, ";")
	if code != 0 || removed != "rm force=false "+psFixture()[2].ID+";rm force=false "+psFixture()[4].ID {
		t.Errorf("system prune: code %d calls %q err %q", code, removed, stderr.String())
	}
	if o := eng.listed[0]; !o.All || strings.Join(o.Filters["status"], ",") != "created,exited,dead" {
		t.Errorf("system prune listed %+v", o)
	}
	for _, want := range []string{"WARNING! This will remove:\n  - all stopped containers\n  - all dangling images\n", "Deleted Containers:\n" + psFixture()[2].ID + "\n", "Deleted Images:\n", "Total reclaimed space: 1.24MB\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("system prune output lacks %q:\n%s", want, stdout.String())
		}
	}

	eng, store = fixture()
	sys = withImages(testSystem(eng), store)
	if r := runCLI(t, sys, "container", "prune", "-f"); r.code != 0 || !strings.HasPrefix(r.stdout, "Deleted Containers:\n") || len(store.pruned) != 0 {
		t.Errorf("container prune -f: code %d out %q", r.code, r.stdout)
	}
}

func TestSystemDfGolden(t *testing.T) {
	cs := psFixture()
	store := &fakeImages{imgs: imagesFixture(), usage: images.DiskUsage{
		Images: []images.ImageUsage{
			{ID: imagesFixture()[0].ID, RepoTags: []string{"busybox:latest"}, Size: 4_261_000, UniqueSize: 4_261_000, Containers: 2},
			{ID: imagesFixture()[1].ID, Size: 72_900_000, SharedSize: 900_000, UniqueSize: 72_000_000},
		},
		Containers: []images.ContainerUsage{{ID: cs[0].ID, Size: 1200}, {ID: cs[2].ID, Size: 5000}},
		LayersSize: 77_161_000,
	}}
	sys := withImages(testSystem(&fakeEngine{containers: cs}), store)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"system_df", []string{"system", "df"}},
		{"system_df_verbose", []string{"system", "df", "-v"}},
		{"system_df_json", []string{"system", "df", "--format", "json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, sys, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d err %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}
}

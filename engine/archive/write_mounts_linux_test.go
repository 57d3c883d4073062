package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteMounts: WriteOptions.Mounts replace what the walk finds at
// their paths (the layers' content under a mount point is hidden), add
// the ones the walk finds nothing at, and nest.
func TestWriteMounts(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"root/etc/f", "root/data/hidden", "vol/x", "vol/sub/y", "logs/l"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vol, logs := openRoot(t, filepath.Join(dir, "vol")), openRoot(t, filepath.Join(dir, "logs"))
	var buf bytes.Buffer
	opts := WriteOptions{Name: "r", Mounts: map[string]*os.File{"data": vol, "data/sub/logs": logs, "new": logs}}
	if err := Write(&buf, openRoot(t, filepath.Join(dir, "root")), "/", opts); err != nil {
		t.Fatal(err)
	}
	got := entries(t, &buf)
	want := []string{"r/", "r/data/", "r/data/sub/", "r/data/sub/logs/", "r/data/sub/logs/l", "r/data/sub/y", "r/data/x",
		"r/etc/", "r/etc/f", "r/new/", "r/new/l"}
	if !slices.Equal(got, want) {
		t.Errorf("entries:\n%q\nwant:\n%q", got, want)
	}

	// The root named "/", as docker's GET archive?path=/ names it: the
	// mounts are below it all the same.
	buf.Reset()
	opts.Name = "/"
	if err := Write(&buf, openRoot(t, filepath.Join(dir, "root")), "/", opts); err != nil {
		t.Fatal(err)
	}
	got = entries(t, &buf)
	want = []string{"/", "/data/", "/data/sub/", "/data/sub/logs/", "/data/sub/logs/l", "/data/sub/y", "/data/x",
		"/etc/", "/etc/f", "/new/", "/new/l"}
	if !slices.Equal(got, want) {
		t.Errorf("entries of the root named /:\n%q\nwant:\n%q", got, want)
	}
}

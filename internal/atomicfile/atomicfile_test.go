package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

var writers = []struct {
	name  string
	write func(string, []byte, os.FileMode) error
}{
	{"WriteFile", WriteFile},
	{"Replace", Replace},
}

func TestWriteFileReplacesWhole(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "record.json")
			for _, content := range []string{"first", "second, longer"} {
				if err := w.write(p, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(p)
				if err != nil || string(got) != content {
					t.Fatalf("read %q, %v; want %q", got, err, content)
				}
			}
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("temporary files left: %v", ents)
			}
		})
	}
}

func TestWriteFileMissingDirectory(t *testing.T) {
	for _, w := range writers {
		if err := w.write(filepath.Join(t.TempDir(), "no", "such"), nil, 0o600); err == nil {
			t.Errorf("%s into a missing directory succeeded", w.name)
		}
	}
}

package engine

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// readFile reads what os.ReadFile reads, and fails as it does.
func TestReadFileAsOsReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 8<<10 - 1, 8 << 10, 8<<10 + 1, 100 << 10} {
		path := filepath.Join(dir, "f")
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readFile(path)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%d bytes: read %d, %v", size, len(got), err)
		}
	}
	_, err := readFile(filepath.Join(dir, "missing"))
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := readFile(dir); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("directory: %v", err)
	}
}

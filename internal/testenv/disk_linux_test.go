package testenv

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPickDiskDir(t *testing.T) {
	const ext4 = 0xef53
	types := map[string]int64{"/tmp": unix.TMPFS_MAGIC, "/ram": unix.RAMFS_MAGIC, "/var/tmp": ext4, "/src": 0x9123683e}
	fsType := func(dir string) (int64, error) {
		typ, ok := types[dir]
		if !ok {
			return 0, fmt.Errorf("statfs %s: no such file or directory", dir)
		}
		return typ, nil
	}
	tests := []struct {
		candidates []string
		want       string
		wantErr    string
	}{
		{[]string{"/var/tmp", "/src"}, "/var/tmp", ""},
		{[]string{"/tmp", "/var/tmp", "/src"}, "/var/tmp", ""},
		{[]string{"/tmp", "/missing", "/src"}, "/src", ""},
		{[]string{"/tmp", "/ram"}, "", "/ram is in memory"},
		{[]string{"/missing"}, "", "statfs /missing"},
	}
	for _, tt := range tests {
		got, err := pickDiskDir(tt.candidates, fsType)
		if got != tt.want || (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("pickDiskDir(%q) = %q, %v; want %q, error with %q", tt.candidates, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestDiskTempDir makes a directory that is not in memory, and removes it.
func TestDiskTempDir(t *testing.T) {
	var dir string
	t.Run("make", func(t *testing.T) {
		dir = DiskTempDir(t)
		typ, err := fsType(dir)
		if err != nil || inMemory(typ) {
			t.Fatalf("%s: type %#x, %v", dir, typ, err)
		}
	})
	if dir == "" {
		return
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there after its test: %v", dir, err)
	}
}

package ptyexec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestOpenPTYIn(t *testing.T) {
	t.Parallel()
	master, slave, err := OpenPTYIn("/")
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	if !strings.HasPrefix(slave.Name(), "/dev/pts/") {
		t.Fatalf("slave name %q", slave.Name())
	}
	// The pair is connected and the slave is the one its name says.
	var a, b unix.Stat_t
	if err := unix.Stat(slave.Name(), &a); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fstat(int(slave.Fd()), &b); err != nil {
		t.Fatal(err)
	}
	if a.Rdev != b.Rdev {
		t.Fatalf("slave is not %s", slave.Name())
	}
	if _, err := slave.WriteString("ping\n"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := master.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "ping") {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
}

func TestOpenPTYInRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(root string) error
		want  error
	}{
		{"no dev/ptmx", func(string) error { return nil }, fs.ErrNotExist},
		{"regular file", func(root string) error {
			return os.WriteFile(filepath.Join(root, "dev", "ptmx"), nil, 0o666)
		}, ErrNotPTMX},
		{"absolute symlink stays in the root", func(root string) error {
			return os.Symlink("/etc/passwd", filepath.Join(root, "dev", "ptmx"))
		}, fs.ErrNotExist},
		{"dot-dot stays in the root", func(root string) error {
			return os.Symlink("../../../../../dev/null", filepath.Join(root, "dev", "ptmx"))
		}, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			if err := os.Mkdir(filepath.Join(root, "dev"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tt.setup(root); err != nil {
				t.Fatal(err)
			}
			m, s, err := OpenPTYIn(root)
			if err == nil {
				m.Close()
				s.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// Sizes set on the master are seen on the slave, and the master stays
// non-blocking: a read deadline ends a read that has nothing to return.
func TestPTYSizeAndDeadline(t *testing.T) {
	t.Parallel()
	master, slave, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	want := Size{Width: 132, Height: 43}
	if err := SetSize(master, want); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*os.File{master, slave} {
		if got, err := GetSize(f); err != nil || got != want {
			t.Fatalf("%s: got %v, %v; want %v", f.Name(), got, err, want)
		}
	}
	if err := master.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := master.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: got %v, want deadline exceeded", err)
	}
}

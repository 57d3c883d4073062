package containerinit

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestResolveInRoot(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"etc", "usr/lib", "var"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"abs":          "/etc",
		"rel":          "usr/lib",
		"escape":       "../../../../etc",
		"var/run":      "../run",
		"usr/lib/up":   "../..",
		"loop":         "loop",
		"etc/dangling": "/nowhere/file",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path string
		want string
		err  error
	}{
		{"/", "/", nil},
		{"/etc/hosts", "/etc/hosts", nil},
		{"etc//./hosts", "/etc/hosts", nil},
		{"/../../etc", "/etc", nil},
		{"/abs/hosts", "/etc/hosts", nil},
		{"/rel/x", "/usr/lib/x", nil},
		{"/escape/passwd", "/etc/passwd", nil},
		{"/var/run/x", "/run/x", nil},
		{"/usr/lib/up/etc", "/etc", nil},
		{"/etc/dangling", "/nowhere/file", nil},
		{"/missing/../etc", "/etc", nil},
		{"/loop/x", "", syscall.ELOOP},
	}
	for _, tt := range tests {
		got, err := resolveInRoot(root, tt.path)
		if !errors.Is(err, tt.err) {
			t.Errorf("resolveInRoot(%q): err = %v, want %v", tt.path, err, tt.err)
			continue
		}
		if tt.err == nil && got != filepath.Join(root, tt.want) {
			t.Errorf("resolveInRoot(%q) = %s, want %s", tt.path, got, filepath.Join(root, tt.want))
		}
	}
}

func TestSortMounts(t *testing.T) {
	in := []Mount{{Target: "/a/b/c"}, {Target: "/a"}, {Target: "/x/y"}, {Target: "b"}, {Target: "/a/b/"}}
	var got []string
	for _, m := range sortMounts(in) {
		got = append(got, m.Target)
	}
	want := []string{"/a", "b", "/x/y", "/a/b/", "/a/b/c"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

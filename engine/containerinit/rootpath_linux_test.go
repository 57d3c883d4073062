package containerinit

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// testRoot is a directory tree with symlinks that point every way out.
func testRoot(t *testing.T) (string, *os.File) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"etc", "usr/lib", "var"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "etc/hosts"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"abs":          "/etc",
		"rel":          "usr/lib",
		"escape":       "../../../../etc",
		"var/run":      "../run",
		"usr/lib/up":   "../..",
		"loop":         "loop",
		"etc/dangling": "/nowhere/file",
		"etc/outside":  "../../../../../../outside/x",
		"proc1":        "/proc/1/root",
		"magic":        "/proc/self/root/etc",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := openRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return root, f
}

// where is the path inside root that f holds.
func where(t *testing.T, root string, f *os.File) string {
	t.Helper()
	p, err := os.Readlink(fdPath(f))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || len(rel) > 2 && rel[:3] == "../" {
		t.Fatalf("%s is outside the root %s", p, root)
	}
	return filepath.Join("/", rel)
}

func TestOpenInRoot(t *testing.T) {
	root, rootFile := testRoot(t)
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
		{"/rel", "/usr/lib", nil},
		{"/escape", "/etc", nil},
		{"/usr/lib/up/etc", "/etc", nil},
		{"/etc/dangling", "", syscall.ENOENT},
		{"/missing/../etc", "", syscall.ENOENT},
		{"/loop/x", "", syscall.ELOOP},
	}
	for _, tt := range tests {
		f, err := openInRoot(rootFile, tt.path)
		if !errors.Is(err, tt.err) {
			t.Errorf("openInRoot(%q): err = %v, want %v", tt.path, err, tt.err)
			continue
		}
		if err == nil {
			if got := where(t, root, f); got != tt.want {
				t.Errorf("openInRoot(%q) holds %s, want %s", tt.path, got, tt.want)
			}
			f.Close()
		}
	}
}

func TestCreateInRoot(t *testing.T) {
	root, rootFile := testRoot(t)
	tests := []struct {
		path string
		file bool
		want string
		err  error
	}{
		{"/etc/hosts", true, "/etc/hosts", nil},
		{"/new/dir", false, "/new/dir", nil},
		{"/new/file", true, "/new/file", nil},
		{"/abs/x/y", false, "/etc/x/y", nil},
		{"/escape/z", true, "/etc/z", nil},
		{"/var/run/r", false, "/run/r", nil},
		{"/etc/dangling", true, "/nowhere/file", nil},
		{"/etc/outside", false, "/outside/x", nil},
		{"/etc/outside/deeper", false, "/outside/x/deeper", nil},
		{"/../../up/and/out", false, "/up/and/out", nil},
		{"/proc1/x", false, "/proc/1/root/x", nil},
		{"/magic/x", false, "/proc/self/root/etc/x", nil},
		{"/loop/x", false, "", syscall.ELOOP},
		{"/etc/hosts/x", false, "", syscall.ENOTDIR},
	}
	for _, tt := range tests {
		f, err := createInRoot(rootFile, tt.path, tt.file)
		if !errors.Is(err, tt.err) {
			t.Errorf("createInRoot(%q): err = %v, want %v", tt.path, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if got := where(t, root, f); got != tt.want {
			t.Errorf("createInRoot(%q) holds %s, want %s", tt.path, got, tt.want)
		}
		var st syscall.Stat_t
		if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
			t.Fatal(err)
		}
		if isDir := st.Mode&syscall.S_IFMT == syscall.S_IFDIR; isDir == tt.file {
			t.Errorf("createInRoot(%q, file %v) made mode %o", tt.path, tt.file, st.Mode)
		}
		f.Close()
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

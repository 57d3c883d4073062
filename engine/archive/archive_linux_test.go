package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"berth/internal/testenv"
)

func tarOf(t *testing.T, hdrs ...*tar.Header) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		if h.Typeflag == tar.TypeReg && h.Size == 0 {
			h.Size = 1
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(bytes.Repeat([]byte("x"), int(h.Size))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func openRoot(t *testing.T, dir string) *os.File {
	t.Helper()
	f, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func entries(t *testing.T, r io.Reader) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

// TestExtractStaysInRoot: absolute names, "..", symlinks out (absolute
// and relative) and hard links out never reach outside the root.
func TestExtractStaysInRoot(t *testing.T) {
	testenv.RequireRoot(t)
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "planted")); err != nil {
		t.Fatal(err)
	}
	r := openRoot(t, root)
	for _, tc := range []struct {
		name string
		tar  []*tar.Header
	}{
		{"absolute name", []*tar.Header{{Name: outside + "/a", Typeflag: tar.TypeReg, Mode: 0o644}}},
		{"dot-dot", []*tar.Header{{Name: "../../../../" + outside + "/b", Typeflag: tar.TypeReg, Mode: 0o644}}},
		{"planted symlink as parent", []*tar.Header{{Name: "planted/c", Typeflag: tar.TypeReg, Mode: 0o644}}},
		{"symlink then through it", []*tar.Header{
			{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "../../../" + outside},
			{Name: "l/d", Typeflag: tar.TypeReg, Mode: 0o644}}},
		{"hard link to a host file", []*tar.Header{{Name: "h", Typeflag: tar.TypeLink, Linkname: outside + "/secret"}}},
		{"hard link through the planted symlink", []*tar.Header{{Name: "h2", Typeflag: tar.TypeLink, Linkname: "planted/secret"}}},
		{"file over the planted symlink", []*tar.Header{{Name: "planted", Typeflag: tar.TypeReg, Mode: 0o666}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_ = Extract(r, "/", tarOf(t, tc.tar...), ExtractOptions{}) // an error or a file inside: both fine
			names, _ := os.ReadDir(outside)
			if len(names) != 1 {
				t.Fatalf("outside holds %d entries after %s", len(names), tc.name)
			}
			if fi, _ := os.Stat(filepath.Join(outside, "secret")); fi.Mode().Perm() != 0o600 || fi.Size() != 1 {
				t.Fatalf("the outside file changed: %v %d", fi.Mode(), fi.Size())
			}
		})
	}
	// Into a directory named through a planted link: resolved inside
	// the root (where the first case made that path).
	if err := os.Symlink(outside, filepath.Join(root, "planted2")); err != nil {
		t.Fatal(err)
	}
	err := Extract(r, "/planted2", tarOf(t, &tar.Header{Name: "e", Typeflag: tar.TypeReg, Mode: 0o644}), ExtractOptions{})
	if err != nil {
		t.Errorf("extract into /planted2: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, outside, "e")); err != nil {
		t.Errorf("extract into /planted2 did not land inside the root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "e")); err == nil {
		t.Fatal("extracted through a planted symlink")
	}
}

// TestWriteDoesNotFollow: a walk copies symlinks as symlinks, and a
// path through a planted absolute symlink resolves inside the root.
func TestWriteDoesNotFollow(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "d"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "d", "out")); err != nil {
		t.Fatal(err)
	}
	r := openRoot(t, root)
	var buf bytes.Buffer
	if err := Write(&buf, r, "/d", WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := entries(t, &buf), []string{"d/", "d/out"}; !slices.Equal(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	for _, p := range []string{"/d/out/secret", "/d/out/", outside + "/secret"} {
		buf.Reset()
		if err := Write(&buf, r, p, WriteOptions{Follow: true}); !errors.Is(err, ErrNotFound) {
			t.Errorf("Write %s: %v, want not found (the link resolves inside the root)", p, err)
		}
	}
	if _, err := StatPath(r, "/d/out/secret", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("StatPath through the link: %v", err)
	}
}

// TestRoundTrip writes a tree and extracts it elsewhere: content, modes,
// symlinks and hard links survive; "/." names the content.
func TestRoundTrip(t *testing.T) {
	testenv.RequireRoot(t)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	if err := os.MkdirAll(filepath.Join(src, "t", "sub"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "t", "sub", "f"), []byte("content"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(src, "t", "sub", "f"), filepath.Join(src, "t", "hard")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub/f", filepath.Join(src, "t", "soft")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, openRoot(t, src), "/t/.", WriteOptions{Name: "copy"}); err != nil {
		t.Fatal(err)
	}
	if err := Extract(openRoot(t, dst), "/", &buf, ExtractOptions{Owner: &Owner{UID: 7, GID: 8}}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "copy", "sub", "f")); err != nil || string(b) != "content" {
		t.Errorf("copy/sub/f: %q, %v", b, err)
	}
	fi, err := os.Stat(filepath.Join(dst, "copy", "hard"))
	if err != nil || fi.Mode().Perm() != 0o640 || fi.Sys().(*syscall.Stat_t).Nlink != 2 || fi.Sys().(*syscall.Stat_t).Uid != 7 {
		t.Errorf("copy/hard: %v, %v", fi, err)
	}
	if target, err := os.Readlink(filepath.Join(dst, "copy", "soft")); err != nil || target != "sub/f" {
		t.Errorf("copy/soft -> %q, %v", target, err)
	}
	if fi, err := os.Stat(filepath.Join(dst, "copy", "sub")); err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("copy/sub mode %v, %v", fi, err)
	}
	// Neither a directory over a file nor a file over a directory.
	if err := Extract(openRoot(t, dst), "/", tarOf(t, &tar.Header{Name: "copy/sub", Typeflag: tar.TypeReg, Mode: 0o644}), ExtractOptions{}); err == nil {
		t.Error("a file replaced a directory")
	}
	if err := Extract(openRoot(t, dst), "/", tarOf(t, &tar.Header{Name: "copy/sub/f", Typeflag: tar.TypeDir, Mode: 0o755}), ExtractOptions{}); err == nil {
		t.Error("a directory replaced a file")
	}
}

package images

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestEntryPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a/b", "a/b"},
		{"./a/b/", "a/b"},
		{"/etc/passwd", "etc/passwd"},
		{"../../etc/passwd", "etc/passwd"},
		{"a/../../b", "b"},
		{".", ""},
		{"./", ""},
		{"/", ""},
		{"a//b/./c", "a/b/c"},
	}
	for _, tt := range tests {
		if got := entryPath(tt.in); got != tt.want {
			t.Errorf("entryPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestApplyLayerNeverWritesOutside extracts hostile tarballs into root
// inside a sandbox and checks that nothing beside root changed.
func TestApplyLayerNeverWritesOutside(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name    string
		entries func(outside string) []tarEntry
		wantErr string // substring of the error, "" when neutralised silently
		inside  []string
	}{
		{
			name:    "dot-dot traversal",
			entries: func(string) []tarEntry { return []tarEntry{{name: "../../../evil", body: "x"}} },
			inside:  []string{"evil"},
		},
		{
			name: "absolute name",
			entries: func(outside string) []tarEntry {
				return []tarEntry{{name: filepath.Join(outside, "evil"), body: "x"}}
			},
		},
		{
			name: "symlink to an absolute directory outside",
			entries: func(outside string) []tarEntry {
				return []tarEntry{
					{name: "link", typ: tar.TypeSymlink, link: outside},
					{name: "link/evil", body: "x"},
				}
			},
		},
		{
			name: "symlink climbing out",
			entries: func(string) []tarEntry {
				return []tarEntry{
					{name: "a/", typ: tar.TypeDir},
					{name: "a/up", typ: tar.TypeSymlink, link: "../../../../../../.."},
					{name: "a/up/evil", body: "x"},
				}
			},
			inside: []string{"evil"},
		},
		{
			name: "symlink then file over it",
			entries: func(outside string) []tarEntry {
				return []tarEntry{
					{name: "f", typ: tar.TypeSymlink, link: filepath.Join(outside, "victim")},
					{name: "f", body: "x"},
				}
			},
		},
		{
			name: "hard link to a file outside",
			entries: func(outside string) []tarEntry {
				return []tarEntry{{name: "h", typ: tar.TypeLink, link: filepath.Join(outside, "victim")}}
			},
			wantErr: `extract "h": unsafe layer entry: hard link target`,
		},
		{
			name: "hard link climbing out",
			entries: func(string) []tarEntry {
				return []tarEntry{{name: "h", typ: tar.TypeLink, link: "../../../../victim"}}
			},
			wantErr: `extract "h"`,
		},
		{
			name: "hard link through a symlink out",
			entries: func(outside string) []tarEntry {
				return []tarEntry{
					{name: "d", typ: tar.TypeSymlink, link: outside},
					{name: "h", typ: tar.TypeLink, link: "d/victim"},
				}
			},
			wantErr: `extract "h"`,
		},
		{
			name: "device node through a symlink",
			entries: func(outside string) []tarEntry {
				return []tarEntry{
					{name: "d", typ: tar.TypeSymlink, link: outside},
					{name: "d/null", typ: tar.TypeChar, major: 1, minor: 3},
				}
			},
		},
		{
			name: "whiteout through a symlink",
			entries: func(outside string) []tarEntry {
				return []tarEntry{
					{name: "d", typ: tar.TypeSymlink, link: outside},
					{name: "d/.wh.victim", body: ""},
				}
			},
		},
		{
			name: "opaque through a symlink",
			entries: func(outside string) []tarEntry {
				return []tarEntry{
					{name: "d", typ: tar.TypeSymlink, link: outside},
					{name: "d/.wh..wh..opq", body: ""},
				}
			},
		},
	}
	for _, mode := range []whiteoutMode{whiteoutOverlay, whiteoutDelete} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sandbox := t.TempDir()
				outside := filepath.Join(sandbox, "outside")
				root := filepath.Join(sandbox, "root")
				for _, d := range []string{outside, root} {
					if err := os.Mkdir(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(filepath.Join(outside, "victim"), []byte("safe"), 0o644); err != nil {
					t.Fatal(err)
				}
				before := entriesUnder(t, outside)
				_, err := applyLayer(root, bytes.NewReader(makeTar(t, tt.entries(outside)...)), mode)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
					}
				} else if err != nil {
					t.Fatalf("applyLayer: %v", err)
				}
				if after := entriesUnder(t, outside); strings.Join(after, ",") != strings.Join(before, ",") {
					t.Fatalf("outside changed: %v → %v", before, after)
				}
				if got, _ := os.ReadFile(filepath.Join(outside, "victim")); string(got) != "safe" {
					t.Fatalf("victim = %q", got)
				}
				if fi, err := os.Lstat(filepath.Join(outside, "victim")); err != nil || fi.Mode()&os.ModeType != 0 {
					t.Fatalf("victim replaced: %v %v", fi, err)
				}
				for _, p := range tt.inside {
					if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
						t.Errorf("%s not extracted inside the root: %v", p, err)
					}
				}
				// Nothing may escape the sandbox either (e.g. via "..").
				for _, e := range entriesUnder(t, filepath.Dir(sandbox)) {
					if !strings.HasPrefix(e, filepath.Base(sandbox)) {
						t.Errorf("stray %s beside the sandbox", e)
					}
				}
			})
		}
	}
}

func TestApplyLayerKeepsMetadata(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	layer := makeTar(t,
		tarEntry{name: "./", typ: tar.TypeDir, mode: 0o755},
		tarEntry{name: "bin/", typ: tar.TypeDir, mode: 0o711, uid: 7, gid: 8},
		tarEntry{name: "bin/suid", mode: 0o4755, uid: 1000, gid: 1000, body: "#!"},
		tarEntry{name: "bin/link", typ: tar.TypeSymlink, link: "suid", uid: 5, gid: 6},
		tarEntry{name: "bin/hard", typ: tar.TypeLink, link: "bin/suid"},
		tarEntry{name: "x", xattrs: map[string]string{"user.k": "v", "trusted.overlay.redirect": "/etc"}, body: "y"},
		tarEntry{name: "dev/null", typ: tar.TypeChar, mode: 0o666, major: 1, minor: 3},
		tarEntry{name: "dev/fifo", typ: tar.TypeFifo, mode: 0o600},
	)
	size, err := applyLayer(root, bytes.NewReader(layer), whiteoutOverlay)
	if err != nil {
		t.Fatal(err)
	}
	if size != 3 {
		t.Errorf("size = %d, want 3", size)
	}
	var st unix.Stat_t
	mustLstat := func(p string) *unix.Stat_t {
		t.Helper()
		if err := unix.Lstat(filepath.Join(root, p), &st); err != nil {
			t.Fatal(err)
		}
		return &st
	}
	if s := mustLstat("bin/suid"); s.Mode&0o7777 != 0o4755 || s.Uid != 1000 || s.Gid != 1000 || s.Nlink != 2 {
		t.Errorf("bin/suid: mode %o uid %d gid %d nlink %d", s.Mode&0o7777, s.Uid, s.Gid, s.Nlink)
	}
	if s := mustLstat("bin/suid"); s.Mtim.Sec != testMtime.Unix() {
		t.Errorf("bin/suid mtime %d, want %d", s.Mtim.Sec, testMtime.Unix())
	}
	if s := mustLstat("bin"); s.Mode&0o7777 != 0o711 || s.Uid != 7 || s.Mtim.Sec != testMtime.Unix() {
		t.Errorf("bin: mode %o uid %d mtime %d", s.Mode&0o7777, s.Uid, s.Mtim.Sec)
	}
	if s := mustLstat("bin/link"); s.Mode&unix.S_IFMT != unix.S_IFLNK || s.Uid != 5 {
		t.Errorf("bin/link: mode %o uid %d", s.Mode, s.Uid)
	}
	if s := mustLstat("dev/null"); s.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(s.Rdev) != 1 || unix.Minor(s.Rdev) != 3 {
		t.Errorf("dev/null: mode %o rdev %d", s.Mode, s.Rdev)
	}
	if s := mustLstat("dev/fifo"); s.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("dev/fifo: mode %o", s.Mode)
	}
	buf := make([]byte, 16)
	if n, err := unix.Lgetxattr(filepath.Join(root, "x"), "user.k", buf); err != nil || string(buf[:n]) != "v" {
		t.Errorf("user.k = %q, %v", buf[:n], err)
	}
	if _, err := unix.Lgetxattr(filepath.Join(root, "x"), "trusted.overlay.redirect", buf); err == nil {
		t.Error("a layer set trusted.overlay.redirect")
	}
}

func TestApplyLayerWhiteoutsOverlay(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	layer := makeTar(t,
		tarEntry{name: "etc/.wh.passwd", uid: 3, gid: 4},
		tarEntry{name: "opaque/", typ: tar.TypeDir},
		tarEntry{name: "opaque/.wh..wh..opq"},
		tarEntry{name: "opaque/kept", body: "k"},
	)
	if _, err := applyLayer(root, bytes.NewReader(layer), whiteoutOverlay); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(root, "etc/passwd"), &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 || st.Uid != 3 {
		t.Errorf("etc/passwd: mode %o rdev %d uid %d, want a 0:0 char device owned by 3", st.Mode, st.Rdev, st.Uid)
	}
	buf := make([]byte, 4)
	if n, err := unix.Lgetxattr(filepath.Join(root, "opaque"), "trusted.overlay.opaque", buf); err != nil || string(buf[:n]) != "y" {
		t.Errorf("opaque xattr = %q, %v", buf[:n], err)
	}
	for _, p := range []string{"etc/.wh.passwd", "opaque/.wh..wh..opq"} {
		if _, err := os.Lstat(filepath.Join(root, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left in the layer: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "opaque/kept")); err != nil {
		t.Error(err)
	}
}

func TestApplyLayerWhiteoutsDelete(t *testing.T) {
	root := t.TempDir()
	base := makeTar(t,
		tarEntry{name: "etc/passwd", body: "root"},
		tarEntry{name: "etc/group", body: "root"},
		tarEntry{name: "dir/old1", body: "1"},
		tarEntry{name: "dir/sub/old2", body: "2"},
	)
	if _, err := applyLayer(root, bytes.NewReader(base), whiteoutDelete); err != nil {
		t.Fatal(err)
	}
	top := makeTar(t,
		tarEntry{name: "etc/.wh.passwd"},
		tarEntry{name: "dir/", typ: tar.TypeDir},
		tarEntry{name: "dir/new", body: "n"},
		tarEntry{name: "dir/.wh..wh..opq"},
	)
	if _, err := applyLayer(root, bytes.NewReader(top), whiteoutDelete); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(entriesUnder(t, root), ",")
	if want := "dir,dir/new,etc,etc/group"; got != want {
		t.Fatalf("tree = %s, want %s", got, want)
	}
}

func TestCheckDeviceNumber(t *testing.T) {
	tests := []struct {
		major, minor int64
		ok           bool
	}{
		{0, 0, true},
		{1, 3, true},
		{7, 0, true},
		{4095, 1<<20 - 1, true},
		{4096, 0, false},
		{0, 1 << 20, false},
		{-1, 0, false},
		{0, -1, false},
		{1<<32 + 7, 0, false},
		{7, 1 << 32, false},
	}
	for _, tt := range tests {
		err := checkDeviceNumber(tt.major, tt.minor)
		if (err == nil) != tt.ok {
			t.Errorf("checkDeviceNumber(%d, %d) = %v, want ok %v", tt.major, tt.minor, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafeEntry) {
			t.Errorf("checkDeviceNumber(%d, %d) = %v, want ErrUnsafeEntry", tt.major, tt.minor, err)
		}
	}
}

func TestApplyLayerRejects(t *testing.T) {
	tests := []struct {
		name    string
		entries []tarEntry
		want    string
	}{
		{"root as a file", []tarEntry{{name: ".", body: "x"}}, "layer root must be a directory"},
		{"malformed whiteout", []tarEntry{{name: "a/.wh.."}}, "malformed whiteout"},
		{"hard link to a directory", []tarEntry{{name: "d/", typ: tar.TypeDir}, {name: "h", typ: tar.TypeLink, link: "d"}}, "is a directory"},
		{"hard link to nothing", []tarEntry{{name: "h", typ: tar.TypeLink, link: "missing"}}, "not in the layer"},
		{"major beyond 12 bits", []tarEntry{{name: "dev/loop", typ: tar.TypeBlock, major: 1<<12 + 7}}, `extract "dev/loop": unsafe layer entry: device number 4103:0 is out of range`},
		{"minor beyond 20 bits", []tarEntry{{name: "c", typ: tar.TypeChar, major: 1, minor: 1 << 20}}, `extract "c": unsafe layer entry: device number 1:1048576`},
		{"major beyond 32 bits", []tarEntry{{name: "c", typ: tar.TypeChar, major: 1<<32 + 7, minor: 0}}, `device number 4294967303:0 is out of range`},
		{"minor beyond 32 bits", []tarEntry{{name: "b", typ: tar.TypeBlock, major: 7, minor: 1 << 40}}, `device number 7:1099511627776 is out of range`},
	}
	t.Run("sparse file", func(t *testing.T) {
		// Found by FuzzApplyLayer: a 2 KiB tar wrote a terabyte of zeros.
		_, err := applyLayer(t.TempDir(), bytes.NewReader(sparseTar()), whiteoutOverlay)
		if want := `extract "big": unsafe layer entry: sparse files are not supported`; err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := applyLayer(t.TempDir(), bytes.NewReader(makeTar(t, tt.entries...)), whiteoutOverlay)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

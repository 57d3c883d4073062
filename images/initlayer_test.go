package images

import (
	"archive/tar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A container's init layer holds docker's entries over its image: the
// image's directories keep their mode and owner, what the image has in
// an entry's way (a file, a symlink out) is hidden, never followed, and
// diff sees none of it; the container's own changes come in walk order.
func TestInitLayer(t *testing.T) {
	requireRoot(t)
	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		t.Run(driver, func(t *testing.T) {
			s := openStore(t, driver)
			commitLayers(t, s, "hostile", makeTar(t,
				tarEntry{name: "etc/", typ: tar.TypeDir, mode: 0o750, uid: 1000, gid: 1001},
				tarEntry{name: "etc/hosts", body: "from the image"},
				tarEntry{name: "etc/keep", body: "keep"},
				tarEntry{name: "dev", typ: tar.TypeSymlink, link: "/"},
				tarEntry{name: "proc/", typ: tar.TypeDir, mode: 0o555},
				tarEntry{name: "data/", typ: tar.TypeDir},
				tarEntry{name: "data/f", body: "f"},
				tarEntry{name: "data/g", body: "g"},
				tarEntry{name: "same/", typ: tar.TypeDir},
			))
			mounts, err := s.CreateRootfs("c1", "hostile")
			if err != nil {
				t.Fatal(err)
			}
			root, _ := mountRootfs(t, mounts)
			if got, want := entriesUnder(t, root), withInit("data", "data/f", "data/g", "etc", "etc/keep", "same"); joinEntries(got) != want {
				t.Fatalf("rootfs = %s, want %s", joinEntries(got), want)
			}
			for _, c := range []struct {
				path          string
				typ, mode     uint32
				uid, gid      uint32
				size, linkLen int64
			}{
				{path: "etc", typ: unix.S_IFDIR, mode: 0o750, uid: 1000, gid: 1001},
				{path: "etc/hosts", typ: unix.S_IFREG, mode: 0o755},
				{path: "etc/mtab", typ: unix.S_IFLNK, mode: 0o777, size: int64(len("/proc/mounts"))},
				{path: "dev", typ: unix.S_IFDIR, mode: 0o755},
				{path: "dev/console", typ: unix.S_IFREG, mode: 0o755},
				{path: "proc", typ: unix.S_IFDIR, mode: 0o555},
				{path: ".dockerenv", typ: unix.S_IFREG, mode: 0o755},
			} {
				var st unix.Stat_t
				if err := unix.Lstat(filepath.Join(root, c.path), &st); err != nil {
					t.Fatal(err)
				}
				if st.Mode&unix.S_IFMT != c.typ || st.Mode&0o7777 != c.mode || st.Uid != c.uid || st.Gid != c.gid || (c.typ != unix.S_IFDIR && st.Size != c.size) {
					t.Errorf("%s: mode %o owner %d:%d size %d; want %o %o %d:%d %d", c.path, st.Mode, st.Uid, st.Gid, st.Size, c.typ, c.mode, c.uid, c.gid, c.size)
				}
			}
			if changes, err := s.ContainerChanges("c1"); err != nil || len(changes) != 0 {
				t.Fatalf("changes of a fresh container = %v, %v; want none", changes, err)
			}
			for _, step := range []error{
				os.WriteFile(filepath.Join(root, "data/f"), []byte("changed"), 0o644),
				os.WriteFile(filepath.Join(root, "same/tmp"), nil, 0o644),
				os.Remove(filepath.Join(root, "same/tmp")),
				os.WriteFile(filepath.Join(root, "etc/hosts"), []byte("x"), 0o644),
				os.Remove(filepath.Join(root, "etc/keep")),
				os.Mkdir(filepath.Join(root, "z"), 0o755),
				os.WriteFile(filepath.Join(root, "z/y"), nil, 0o644),
				os.WriteFile(filepath.Join(root, "z-1"), nil, 0o644),
			} {
				if step != nil {
					t.Fatal(step)
				}
			}
			changes, err := s.ContainerChanges("c1")
			if err != nil {
				t.Fatal(err)
			}
			want := []Change{
				{"/data", ChangeModify}, {"/data/f", ChangeModify},
				{"/etc", ChangeModify}, {"/etc/hosts", ChangeModify}, {"/etc/keep", ChangeDelete},
				{"/z", ChangeAdd}, {"/z/y", ChangeAdd}, {"/z-1", ChangeAdd},
			}
			if !slices.Equal(changes, want) {
				t.Fatalf("changes = %v, want %v", changes, want)
			}
		})
	}
}

func joinEntries(e []string) string { return strings.Join(e, ",") }

// statInChain never follows a symlink an image planted above the path
// (the host's /etc/passwd is not the layer's), and a whiteout hides what
// the layers below hold.
func TestStatInChainStaysInLayers(t *testing.T) {
	requireRoot(t)
	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		t.Run(driver, func(t *testing.T) {
			s := openStore(t, driver)
			commitLayers(t, s, "planted",
				makeTar(t, tarEntry{name: "gone", body: "x"}, tarEntry{name: "etc", typ: tar.TypeSymlink, link: "/etc"}),
				makeTar(t, tarEntry{name: ".wh.gone"}, tarEntry{name: "top", body: "t"}))
			if _, err := s.CreateRootfs("c1", "planted"); err != nil {
				t.Fatal(err)
			}
			var rec rootfsRecord
			if err := readJSON(s.rootfsRecordPath("c1"), &rec); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"etc/passwd", "gone"} {
				if hp, _, err := s.statInChain(rec.Layers, p); err == nil {
					t.Errorf("statInChain %s = %s, want none", p, hp)
				}
			}
			if _, fi, err := s.statInChain(rec.Layers, "top"); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("statInChain top = %v, %v", fi, err)
			}
		})
	}
}

package images

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOverlayMountOptions(t *testing.T) {
	m, err := overlayMount([]string{"/l/top", "/l/base"}, "/c/diff", "/c/work")
	if err != nil {
		t.Fatal(err)
	}
	want := Mount{Type: "overlay", Source: "overlay", Options: []string{"lowerdir=/l/top:/l/base", "upperdir=/c/diff", "workdir=/c/work", "index=off", "redirect_dir=off"}}
	if m.Type != want.Type || m.Source != want.Source || m.Target != "" || !slices.Equal(m.Options, want.Options) {
		t.Fatalf("mount = %+v, want %+v", m, want)
	}
	long := make([]string, 100)
	for i := range long {
		long[i] = "/" + strings.Repeat("x", 60)
	}
	if _, err := overlayMount(long, "/u", "/w"); err == nil {
		t.Fatal("options over a page accepted")
	}
}

// layeredImage stores a two-layer image whose top layer deletes a file and
// makes a directory opaque.
func layeredImage(t *testing.T, s *Store) *Image {
	base := makeTar(t,
		tarEntry{name: "etc/", typ: tar.TypeDir},
		tarEntry{name: "etc/hostname", body: "base"},
		tarEntry{name: "etc/keep", body: "keep"},
		tarEntry{name: "data/", typ: tar.TypeDir},
		tarEntry{name: "data/old", body: "old"},
	)
	top := makeTar(t,
		tarEntry{name: "etc/.wh.hostname"},
		tarEntry{name: "data/", typ: tar.TypeDir},
		tarEntry{name: "data/.wh..wh..opq"},
		tarEntry{name: "data/new", body: "new"},
		tarEntry{name: "top", body: "top"},
	)
	return commitLayers(t, s, "layered", base, top)
}

// mountRootfs performs the described mounts at a temporary directory; the
// returned unmount may be called early, and cleanup calls it otherwise.
func mountRootfs(t *testing.T, mounts []Mount) (string, func()) {
	t.Helper()
	target := t.TempDir()
	var mounted int
	unmount := func() {
		for ; mounted > 0; mounted-- {
			if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", target, err)
			}
		}
	}
	t.Cleanup(unmount)
	for _, m := range mounts {
		if err := mountDescribed(m, target); err != nil {
			t.Fatalf("mount %+v: %v", m, err)
		}
		mounted++
	}
	return target, unmount
}

func TestRootfs(t *testing.T) {
	requireRoot(t)
	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		t.Run(driver, func(t *testing.T) {
			s := openStore(t, driver)
			img := layeredImage(t, s)
			mounts, err := s.CreateRootfs("c1", img.ID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := s.CreateRootfs("c1", "layered")
			if err != nil || !slices.EqualFunc(mounts, again, func(a, b Mount) bool {
				return a.Type == b.Type && a.Source == b.Source && slices.Equal(a.Options, b.Options)
			}) {
				t.Fatalf("second CreateRootfs = %v, %v; want %v", again, err, mounts)
			}
			root, _ := mountRootfs(t, mounts)
			got := strings.Join(entriesUnder(t, root), ",")
			if want := withInit("data", "data/new", "etc", "etc/keep", "top"); got != want {
				t.Fatalf("rootfs = %s, want %s", got, want)
			}
			if err := os.WriteFile(filepath.Join(root, "written"), make([]byte, 1000), 0o644); err != nil {
				t.Fatal(err)
			}
			n, err := s.RootfsSize("c1")
			if err != nil {
				t.Fatal(err)
			}
			if driver == DriverOverlay2 && n != 1000 {
				t.Errorf("rootfs size = %d, want 1000", n)
			}
			if driver == DriverVFS && n < 1000 {
				t.Errorf("rootfs size = %d, want at least 1000", n)
			}
			// Writes land in the container's layer, never in the image's.
			if _, err := os.Stat(filepath.Join(s.diffDir(digestOf(t, img.Layers[0])), "written")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("write reached the image layer: %v", err)
			}
			if _, err := s.CreateRootfs("c1", commitLayers(t, s, "", makeTar(t, tarEntry{name: "z"})).ID); !errors.Is(err, ErrConflict) {
				t.Errorf("CreateRootfs for another image: %v", err)
			}
			du, err := s.DiskUsage()
			if err != nil {
				t.Fatal(err)
			}
			if len(du.Containers) != 1 || du.Containers[0].Image != img.ID || du.LayersSize == 0 {
				t.Errorf("disk usage = %+v", du)
			}
		})
	}
}

func TestRootfsKeepsLayersOfForceRemovedImage(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	img := layeredImage(t, s)
	mounts, err := s.CreateRootfs("c1", img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(img.ID, RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	// The container still mounts after its image is gone.
	root, unmount := mountRootfs(t, mounts)
	if data, err := os.ReadFile(filepath.Join(root, "top")); err != nil || string(data) != "top" {
		t.Fatalf("top = %q, %v", data, err)
	}
	unmount()
	if err := s.RemoveRootfs("c1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveRootfs("c1"); err != nil {
		t.Fatalf("second RemoveRootfs: %v", err)
	}
	for _, dir := range []string{s.driverDir(), s.containersDir(), s.blobDir()} {
		if e := entriesUnder(t, dir); len(e) != 0 {
			t.Errorf("%s not empty: %v", dir, e)
		}
	}
}

func TestRootfsLayersUnpackedForAnotherDriver(t *testing.T) {
	requireRoot(t)
	dir := filepath.Join(t.TempDir(), "image")
	over, err := Open(dir, Options{Driver: DriverOverlay2})
	if err != nil {
		t.Fatal(err)
	}
	img := layeredImage(t, over)
	vfs, err := Open(dir, Options{Driver: DriverVFS})
	if err != nil {
		t.Fatal(err)
	}
	mounts, err := vfs.CreateRootfs("c1", img.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(entriesUnder(t, mounts[0].Source), ",")
	if want := withInit("data", "data/new", "etc", "etc/keep", "top"); got != want {
		t.Fatalf("vfs rootfs = %s, want %s", got, want)
	}
}

func TestCreateRootfsRejectsBadContainerID(t *testing.T) {
	s := openStore(t, DriverVFS)
	for _, id := range []string{"", "../x", "a/b", ".hidden"} {
		if _, err := s.CreateRootfs(id, "x"); err == nil {
			t.Errorf("container ID %q accepted", id)
		}
	}
}

package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchUnpacks reports, when called, whether a layer directory was made
// under the store's tmp/ since watchUnpacks was called.
func watchUnpacks(t *testing.T, s *Store) func() bool {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, s.tmpDir(), unix.IN_CREATE); err != nil {
		t.Fatal(err)
	}
	return func() bool {
		buf := make([]byte, 64<<10)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil || n <= 0 {
				return false
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)], "\x00"))
				if strings.Contains(name, "-layer-") {
					return true
				}
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}
}

// Importing a tarball the store already holds as a layer does not unpack
// it again; a new one is unpacked, plain or compressed.
func TestImportSkipsLayerItHas(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	layer := makeTar(t,
		tarEntry{name: "etc/", typ: tar.TypeDir},
		tarEntry{name: "etc/hostname", body: "imported"},
	)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(layer); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	first, err := s.Import(bytes.NewReader(layer), "first:1", ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	unpacked := watchUnpacks(t, s)
	for _, in := range []struct {
		name string
		data []byte
	}{{"plain", layer}, {"gzip", gz.Bytes()}} {
		img, err := s.Import(bytes.NewReader(in.data), "again:"+in.name, ImportOptions{})
		if err != nil {
			t.Fatalf("import %s again: %v", in.name, err)
		}
		if unpacked() {
			t.Errorf("import %s of a layer the store has unpacked it again", in.name)
		}
		if len(img.Layers) != 1 || img.Layers[0] != first.Layers[0] {
			t.Errorf("import %s: layers %v, want %v", in.name, img.Layers, first.Layers)
		}
		if _, err := s.CreateRootfs("c-"+in.name, img.ID); err != nil {
			t.Errorf("rootfs of %s: %v", in.name, err)
		}
	}
	other := makeTar(t, tarEntry{name: "new", body: "new"})
	if _, err := s.Import(bytes.NewReader(other), "other:1", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if !unpacked() {
		t.Error("import of a new layer did not unpack it")
	}
	if e := entriesUnder(t, s.tmpDir()); len(e) != 0 {
		t.Errorf("tmp/ not empty: %v", e)
	}
}

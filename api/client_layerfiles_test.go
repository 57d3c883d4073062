package api

import (
	"archive/tar"
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"berth/host"
	"berth/images"
)

// storeHost is a host whose image store is a real one; whatever else it
// is asked panics (the embedded nil Host).
type storeHost struct {
	host.Host
	store *images.Store
}

func (h storeHost) Images() host.Images { return h.store }

// A remote image's layer files are read from its export stream, and
// are what the far side's own store says.
func TestClientLayerFiles(t *testing.T) {
	s, err := images.Open(filepath.Join(t.TempDir(), "image"), images.Options{Driver: images.DriverVFS})
	if err != nil {
		t.Fatal(err)
	}
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for _, h := range []*tar.Header{
		{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "etc/motd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("hello"))
		}
	}
	tw.Close()
	if _, err := s.Import(&layer, "files:1", images.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	c := serveBerth(t, storeHost{store: s})
	got, err := c.Images().LayerFiles("files:1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.LayerFiles("files:1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("remote LayerFiles = %+v\nlocal: %+v", got, want)
	}
	if len(got.Layers) != 1 || len(got.Layers[0].Entries) != 2 || got.Layers[0].Entries[1].Path != "/etc/motd" || got.Size != 5 {
		t.Errorf("LayerFiles = %+v", got)
	}
	if _, err := c.Images().LayerFiles("nosuch:1"); err == nil {
		t.Error("LayerFiles of a missing image: no error")
	}
}

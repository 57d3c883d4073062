package images

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// Removing a container whose image still holds its layers frees no
// layer, so it must not collect garbage: that reads every image of the
// store. A layer nothing uses (planted here) is left for the next
// collection to find.
func TestRemoveRootfsOfKeptImageSkipsCollection(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	img := layeredImage(t, s)
	if _, err := s.CreateRootfs("c1", img.ID); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(s.driverDir(), strings.Repeat("e", 64))
	if err := os.MkdirAll(orphan, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveRootfs("c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); err != nil {
		t.Errorf("removing a container of a kept image collected garbage: %v", err)
	}
	if e := entriesUnder(t, s.containersDir()); len(e) != 0 {
		t.Errorf("%s not empty: %v", s.containersDir(), e)
	}
	if _, err := s.CreateRootfs("c2", img.ID); err != nil {
		t.Errorf("the image's layers after removing c1: %v", err)
	}
}

// freesLayers answers true whenever it cannot tell: then gc decides.
func TestFreesLayers(t *testing.T) {
	requireRoot(t)
	s := openStore(t, "")
	img := layeredImage(t, s)
	if _, err := s.CreateRootfs("c1", img.ID); err != nil {
		t.Fatal(err)
	}
	var rec rootfsRecord
	if err := readJSON(s.rootfsRecordPath("c1"), &rec); err != nil {
		t.Fatal(err)
	}
	if s.freesLayers(&rec) {
		t.Error("a rootfs whose image holds its layers frees layers")
	}
	foreign := rec
	foreign.Layers = append(append(foreign.Layers[:0:0], rec.Layers...), digest.Digest("sha256:"+strings.Repeat("f", 64)))
	gone := rec
	gone.Image = strings.Repeat("d", 64)
	for name, r := range map[string]*rootfsRecord{
		"unreadable record":       nil,
		"build step (no image)":   {ID: "c1", Layers: rec.Layers},
		"image gone":              &gone,
		"layer the image lacks":   &foreign,
		"image that is not an ID": {ID: "c1", Image: "busybox", Layers: rec.Layers},
	} {
		if !s.freesLayers(r) {
			t.Errorf("%s: freesLayers = false", name)
		}
	}
}

package cli

import (
	"archive/tar"
	"strings"
	"testing"

	"berth/images"
)

func TestImageLayersGolden(t *testing.T) {
	layer := func(hs ...*tar.Header) images.LayerSource { return images.LayerSource{Headers: hs} }
	an := images.AnalyzeLayers([]images.LayerSource{
		layer(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, &tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 100}),
		layer(&tar.Header{Name: "big", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3_000_000}),
		layer(&tar.Header{Name: ".wh.big", Typeflag: tar.TypeReg}),
	})
	an.Layers[1].Instruction = "RUN dd if=/dev/zero of=/big"
	store := &fakeImages{imgs: imagesFixture(), layerFiles: an}
	sys := withImages(testSystem(&fakeEngine{}), store)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"image_layers", []string{"image", "layers", "busybox"}},
		{"image_layers_json", []string{"image", "layers", "--format", "json", "busybox"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, sys, tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d err %q", r.code, r.stderr)
			}
			golden(t, tt.name, r.stdout)
		})
	}
	if r := runCLI(t, sys, "image", "layers", "nope"); r.code != 1 || !strings.Contains(r.stderr, "no such image") {
		t.Errorf("image layers nope: code %d err %q", r.code, r.stderr)
	}
}

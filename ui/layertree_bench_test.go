package ui

import (
	"archive/tar"
	"fmt"
	"testing"
	"time"

	"berth/images"
)

// BenchmarkLayerFilesSelect is the cost of showing another layer of an
// image of 5 layers of 10,000 files each (a distribution's base image):
// its tree built from the analysis (in a command, off the frame), then
// laid out as rows and drawn (in Update and View, on the frame). The
// second is reported beside a frame at 60 Hz, the budget of a key press.
func BenchmarkLayerFilesSelect(b *testing.B) {
	var layers []images.LayerSource
	for l := range 5 {
		var hs []*tar.Header
		for d := range 100 {
			hs = append(hs, &tar.Header{Name: fmt.Sprintf("usr/lib/d%03d/", d), Typeflag: tar.TypeDir, Mode: 0o755})
			for f := range 100 {
				hs = append(hs, &tar.Header{Name: fmt.Sprintf("usr/lib/d%03d/f%d-%d", d, f, (f+l)%3), Typeflag: tar.TypeReg, Mode: 0o644, Size: 1000})
			}
		}
		layers = append(layers, images.LayerSource{Instruction: fmt.Sprint("RUN step ", l), Headers: hs})
	}
	a := images.AnalyzeLayers(layers)
	be := demoBackend()
	be.files = map[string]*images.LayerAnalysis{"sha256:" + id('1'): a}
	m := newTestModel(b, be)
	m = press(b, m, "tab", "j", "l")
	if !m.layerFiles.loaded {
		b.Fatal("the layers screen did not load")
	}
	lf := m.layerFiles
	b.ReportAllocs()
	var build, frame time.Duration
	i := 0
	for b.Loop() {
		layer := 3 + i%2
		t0 := time.Now()
		entries := a.Tree(layer, false)
		t1 := time.Now()
		lf.trees = map[treeKey][]images.LayerEntry{{layer: layer}: entries}
		lf.layers.Cursor = layer
		lf = lf.relayout()
		_ = lf.view()
		build += t1.Sub(t0)
		frame += time.Since(t1)
		i++
	}
	b.ReportMetric(float64(build.Microseconds())/1000/float64(i), "tree-ms")
	b.ReportMetric(float64(frame.Microseconds())/1000/float64(i), "rows+view-ms")
	b.ReportMetric(1000.0/60, "frame-ms")
}

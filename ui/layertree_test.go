package ui

import (
	"archive/tar"
	"strings"
	"testing"

	"berth/images"
)

// wastefulLayers is an image whose third RUN deletes the big file its
// first wrote.
func wastefulLayers() *images.LayerAnalysis {
	layer := func(specs ...string) []*tar.Header {
		var out []*tar.Header
		for _, s := range specs {
			w := strings.Fields(s)
			h := &tar.Header{Name: w[0], Typeflag: tar.TypeReg, Mode: 0o644}
			switch {
			case strings.HasSuffix(w[0], "/"):
				h.Typeflag, h.Mode = tar.TypeDir, 0o755
			case len(w) > 1 && w[1] == "->":
				h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, w[2], 0o777
			case len(w) > 1:
				for _, c := range w[1] {
					h.Size = h.Size*10 + int64(c-'0')
				}
			}
			out = append(out, h)
		}
		return out
	}
	return images.AnalyzeLayers([]images.LayerSource{
		{DiffID: "sha256:" + id('8'), Instruction: "/bin/sh -c #(nop) ADD file:rootfs.tar in / ",
			Headers: layer("bin/", "bin/busybox 1000000", "bin/sh -> busybox", "etc/", "etc/passwd 100", "etc/group 50", "tmp/")},
		{Instruction: "/bin/sh -c dd if=/dev/zero of=/big bs=1M count=3", Headers: layer("big 3145728")},
		{Instruction: "/bin/sh -c echo hi > /etc/motd && adduser -D app", Headers: layer("etc/", "etc/motd 3", "etc/passwd 140")},
		{Instruction: "/bin/sh -c rm /big", Headers: layer(".wh.big")},
	})
}

func TestLayerFilesScreen(t *testing.T) {
	b := demoBackend()
	b.files = map[string]*images.LayerAnalysis{"sha256:" + id('1'): wastefulLayers()}
	m := newTestModel(t, b)
	m = press(t, m, "tab", "j", "l")
	if m.state != stateLayerFiles {
		t.Fatalf("l on busybox opened %s", m.state)
	}
	golden(t, "layers", m)
	out := screen(m)
	for _, want := range []string{"busybox:latest · 4 layers", "wasted 3.15MB", "efficiency", "Layers: busybox:latest", "ADD file:rootfs.ta", "/big"} {
		if !strings.Contains(out, want) {
			t.Errorf("the layers screen lacks %q", want)
		}
	}

	// The last layer removes the big file; with every layer since the
	// base, the file layer 2 wrote and layer 4 removed is gone, and the
	// changes to /etc stay.
	m = press(t, m, "j", "j", "j")
	if out := screen(m); !strings.Contains(out, "D") || !strings.Contains(out, "big") || strings.Contains(out, "motd") {
		t.Errorf("layer 4's changes:\n%s", out)
	}
	m = press(t, m, "a")
	golden(t, "layers-aggregate", m)
	if out := screen(m); strings.Contains(out, "  big") || !strings.Contains(out, "motd") || !strings.Contains(out, "changes of layers 2–4") {
		t.Errorf("the changes of layers 2 to 4:\n%s", out)
	}

	// The whole tree, then /bin folded in the file tree.
	m = press(t, m, "c", "tab")
	if out := screen(m); !strings.Contains(out, "busybox") || !strings.Contains(out, "the whole tree") {
		t.Errorf("the whole tree lacks /bin/busybox:\n%s", out)
	}
	m = press(t, m, "space")
	if out := screen(m); strings.Contains(out, "  busybox") || !strings.Contains(out, "▸ bin/") {
		t.Errorf("/bin folded:\n%s", out)
	}
	m = press(t, m, "z")
	if out := screen(m); strings.Contains(out, "▸ bin/") {
		t.Errorf("z unfolds all:\n%s", out)
	}
	m = press(t, m, "?")
	for _, want := range []string{"fold/unfold dir", "changes/whole tree", "this layer/aggregate"} {
		if !strings.Contains(screen(m), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	m = press(t, m, "?", "esc")
	if m.state != stateImages {
		t.Errorf("esc went to %s", m.state)
	}
}

// An image the backend cannot analyse says why.
func TestLayerFilesScreenError(t *testing.T) {
	m := newTestModel(t, demoBackend())
	m = press(t, m, "tab", "l")
	if out := screen(m); !strings.Contains(out, "no such image") {
		t.Errorf("the layers of an image the backend lacks:\n%s", out)
	}
}

package images

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// layerOf makes a layer's headers from short specs: "d path" a
// directory, "f path size" a file, "l path target" a symlink, "h path
// target" a hard link; whiteouts are files named as the OCI spec names them.
func layerOf(t *testing.T, specs ...string) []*tar.Header {
	t.Helper()
	var out []*tar.Header
	for _, spec := range specs {
		w := strings.Fields(spec)
		h := &tar.Header{Name: w[1], Mode: 0o644}
		switch w[0] {
		case "d":
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case "f":
			h.Typeflag = tar.TypeReg
			if _, err := fmt.Sscan(w[2], &h.Size); err != nil {
				t.Fatal(err)
			}
		case "l":
			h.Typeflag, h.Linkname = tar.TypeSymlink, w[2]
		case "h":
			h.Typeflag, h.Linkname = tar.TypeLink, w[2]
		default:
			t.Fatalf("bad spec %q", spec)
		}
		out = append(out, h)
	}
	return out
}

// marks is a layer's entries as "C /path size" lines ("  " unchanged,
// "+o" for an opaque directory).
func marks(entries []LayerEntry) string {
	var lines []string
	for _, e := range entries {
		m := e.Change.Mark()
		if m == "" {
			m = "."
		}
		if e.Opaque {
			m += "o"
		}
		lines = append(lines, fmt.Sprintf("%s %c %s %d", m, e.Kind.Letter(), e.Path, e.Size))
	}
	return strings.Join(lines, "\n")
}

func TestAnalyzeLayers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers [][]string
		// want is each layer's marks, joined by "|".
		want                    []string
		size, wasted, potential int64
		efficiency              float64
		layerWasted             []int64
		waste                   string // the paths of Waste, in order
	}{
		{name: "added", layers: [][]string{{"d a/", "f a/f 10", "l a/s f"}},
			want: []string{"A d /a 0\nA - /a/f 10\nA l /a/s 0"},
			size: 10, efficiency: 1, layerWasted: []int64{0}},
		{name: "changed", layers: [][]string{{"d a/", "f a/f 10"}, {"d a/", "f a/f 20"}},
			want: []string{"A d /a 0\nA - /a/f 10", ". d /a 0\nC - /a/f 20"},
			size: 30, wasted: 10, potential: 30, efficiency: 10.0 / 30, layerWasted: []int64{10, 0}, waste: "/a/f"},
		{name: "removed", layers: [][]string{{"f big 100", "f keep 5"}, {"f .wh.big 0"}},
			want: []string{"A - /big 100\nA - /keep 5", "D - /big 100"},
			size: 105, wasted: 100, potential: 100, efficiency: 5.0 / 105, layerWasted: []int64{100, 0}, waste: "/big"},
		{name: "removed directory", layers: [][]string{{"d d/", "f d/x 5", "d d/e/", "f d/e/y 7"}, {"f d/.wh.e 0", "f .wh.d 0"}},
			want: []string{"A d /d 0\nA d /d/e 0\nA - /d/e/y 7\nA - /d/x 5", "D d /d 12"},
			size: 12, wasted: 12, potential: 12, efficiency: 0, layerWasted: []int64{12, 0}, waste: "/d/e/y /d/x"},
		{name: "opaque directory", layers: [][]string{
			{"d d/", "f d/x 5", "d d/sub/", "f d/sub/y 7", "f d/keep 3", "d d/again/", "f d/again/old 2"},
			{"f d/.wh..wh..opq 0", "d d/", "f d/keep 4", "f d/new 1", "d d/again/"}},
			want: []string{"A d /d 0\nA d /d/again 0\nA - /d/again/old 2\nA - /d/keep 3\nA d /d/sub 0\nA - /d/sub/y 7\nA - /d/x 5",
				"Co d /d 0\n. d /d/again 0\nD - /d/again/old 2\nC - /d/keep 4\nA - /d/new 1\nD d /d/sub 7\nD - /d/x 5"},
			size: 22, wasted: 17, potential: 21, efficiency: 4.0 / 22, layerWasted: []int64{17, 0},
			waste: "/d/keep /d/sub/y /d/x /d/again/old"},
		{name: "overwritten twice", layers: [][]string{{"f f 100"}, {"f f 200"}, {"f f 300"}},
			want: []string{"A - /f 100", "C - /f 200", "C - /f 300"},
			size: 600, wasted: 300, potential: 600, efficiency: 100.0 / 600, layerWasted: []int64{100, 200, 0}, waste: "/f"},
		{name: "hard link keeps its bytes", layers: [][]string{{"d bin/", "f bin/a 100", "h bin/b bin/a"}, {"f bin/.wh.a 0"}},
			want: []string{"A d /bin 0\nA - /bin/a 100\nA h /bin/b 0", "D - /bin/a 100"},
			size: 100, wasted: 0, potential: 100, efficiency: 0, layerWasted: []int64{0, 0}, waste: "/bin/a"},
		{name: "hard link gone too", layers: [][]string{{"f a 100", "h b a"}, {"f .wh.a 0", "f .wh.b 0"}},
			want: []string{"A - /a 100\nA h /b 0", "D - /a 100\nD h /b 0"},
			size: 100, wasted: 100, potential: 100, efficiency: 0, layerWasted: []int64{100, 0}, waste: "/a"},
		{name: "file for a directory and back", layers: [][]string{{"d p/", "f p/x 8", "f q 3"}, {"f p 1", "d q/", "f q/z 2"}},
			want: []string{"A d /p 0\nA - /p/x 8\nA - /q 3", "C - /p 1\nC d /q 0\nA - /q/z 2"},
			size: 14, wasted: 11, potential: 11, efficiency: 3.0 / 14, layerWasted: []int64{11, 0}, waste: "/p/x /q"},
		{name: "whiteout listed after the new file", layers: [][]string{{"f f 9"}, {"f f 4", "f .wh.f 0"}},
			want: []string{"A - /f 9", "C - /f 4\nD - /f 9"},
			size: 13, wasted: 9, potential: 13, efficiency: 0, layerWasted: []int64{9, 0}, waste: "/f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src []LayerSource
			for i, l := range tc.layers {
				src = append(src, LayerSource{DiffID: fmt.Sprint("layer", i), Instruction: fmt.Sprint("RUN step ", i), Headers: layerOf(t, l...)})
			}
			a := AnalyzeLayers(src)
			for i, want := range tc.want {
				if got := marks(a.Layers[i].Entries); got != want {
					t.Errorf("layer %d:\n%s\nwant\n%s", i, got, want)
				}
				if a.Layers[i].Instruction != fmt.Sprint("RUN step ", i) || a.Layers[i].DiffID != fmt.Sprint("layer", i) {
					t.Errorf("layer %d is %q %q", i, a.Layers[i].DiffID, a.Layers[i].Instruction)
				}
				if a.Layers[i].Wasted != tc.layerWasted[i] {
					t.Errorf("layer %d wastes %d, want %d", i, a.Layers[i].Wasted, tc.layerWasted[i])
				}
			}
			if a.Size != tc.size || a.Wasted != tc.wasted || a.PotentialWaste != tc.potential {
				t.Errorf("size %d wasted %d potential %d, want %d %d %d", a.Size, a.Wasted, a.PotentialWaste, tc.size, tc.wasted, tc.potential)
			}
			if math.Abs(a.Efficiency-tc.efficiency) > 1e-9 {
				t.Errorf("efficiency %v, want %v", a.Efficiency, tc.efficiency)
			}
			var paths []string
			for _, w := range a.Waste {
				paths = append(paths, w.Path)
			}
			if got := strings.Join(paths, " "); got != tc.waste {
				t.Errorf("waste %q, want %q", got, tc.waste)
			}
		})
	}
}

func TestLayerAnalysisTree(t *testing.T) {
	a := AnalyzeLayers([]LayerSource{
		{Headers: layerOf(t, "d a/", "f a/f 1", "f b 2")},
		{Headers: layerOf(t, "f a/f 3", "f c 4", "f tmp 9")},
		{Headers: layerOf(t, "f .wh.b 0", "f a/g 5", "f .wh.tmp 0")},
	})
	for _, tc := range []struct {
		top       int
		aggregate bool
		want      string
	}{
		{0, false, "A d /a 0\nA - /a/f 1\nA - /b 2"},
		{0, true, "A d /a 0\nA - /a/f 1\nA - /b 2"},
		{1, false, ". d /a 0\nC - /a/f 3\n. - /b 2\nA - /c 4\nA - /tmp 9"},
		{2, false, ". d /a 0\n. - /a/f 3\nA - /a/g 5\nD - /b 2\n. - /c 4\nD - /tmp 9"},
		// Since the base layer: what layer 1 added and layer 2 removed is gone.
		{2, true, ". d /a 0\nC - /a/f 3\nA - /a/g 5\nD - /b 2\nA - /c 4"},
	} {
		if got := marks(a.Tree(tc.top, tc.aggregate)); got != tc.want {
			t.Errorf("Tree(%d, %v):\n%s\nwant\n%s", tc.top, tc.aggregate, got, tc.want)
		}
	}
	if a.Tree(3, false) != nil {
		t.Error("a layer past the top has a tree")
	}
}

// A RUN that writes a big file and a later RUN that deletes it waste
// the file's bytes: the store's blobs and a saved archive say so alike.
func TestLayerFilesOfABuild(t *testing.T) {
	requireRoot(t)
	for _, driver := range []string{DriverOverlay2, DriverVFS} {
		t.Run(driver, func(t *testing.T) {
			s := openStore(t, driver)
			commitLayers(t, s, "busybox:latest", busyboxTar(t))
			const big = 3 << 20
			df := fmt.Sprintf("FROM busybox\nRUN fill /big %d\nRUN write /etc/motd hello\nRUN rm /big\n", big)
			img, err := s.Build(context.Background(), BuildOptions{DockerfileText: []byte(df), Tags: []string{"waste:1"}, Runner: &fakeRunner{}})
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.LayerFiles("waste:1")
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Layers) != 4 {
				t.Fatalf("%d layers, want 4", len(a.Layers))
			}
			if got := marks(a.Layers[1].Entries); got != fmt.Sprintf("A - /big %d", big) {
				t.Errorf("the first RUN's layer:\n%s", got)
			}
			if got := marks(a.Layers[3].Entries); got != fmt.Sprintf("D - /big %d", big) {
				t.Errorf("the last RUN's layer:\n%s", got)
			}
			if !strings.Contains(a.Layers[1].Instruction, "fill /big") || a.Layers[1].Wasted != big {
				t.Errorf("layer 1: %q wastes %d", a.Layers[1].Instruction, a.Layers[1].Wasted)
			}
			if a.Wasted != big || a.PotentialWaste != big || len(a.Waste) != 1 || a.Waste[0].Path != "/big" {
				t.Errorf("wasted %d, potential %d, waste %+v; want %d of /big", a.Wasted, a.PotentialWaste, a.Waste, big)
			}
			if a.Efficiency <= 0 || a.Efficiency >= 0.5 {
				t.Errorf("efficiency %v: the big file is most of the image", a.Efficiency)
			}
			if a.Size != img.Size {
				t.Errorf("size %d, the store says %d", a.Size, img.Size)
			}
			var saved bytes.Buffer
			if err := s.Save(&saved, []string{"waste:1"}, SaveOptions{}); err != nil {
				t.Fatal(err)
			}
			b, err := ArchiveLayerFiles(&saved)
			if err != nil {
				t.Fatal(err)
			}
			if b.Size != a.Size || b.Wasted != a.Wasted || b.Efficiency != a.Efficiency || len(b.Layers) != len(a.Layers) ||
				b.Layers[3].Instruction != a.Layers[3].Instruction || marks(b.Layers[3].Entries) != marks(a.Layers[3].Entries) {
				t.Errorf("from the saved archive: %+v\nfrom the store: %+v", b, a)
			}
		})
	}
}

func TestLayerFilesErrors(t *testing.T) {
	s := openStore(t, DriverVFS)
	if _, err := s.LayerFiles("nothere"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LayerFiles(nothere) = %v, want ErrNotFound", err)
	}
	if _, err := ArchiveLayerFiles(bytes.NewReader(makeTar(t, tarEntry{name: "VERSION", body: "1.0"}))); !errors.Is(err, ErrDamaged) {
		t.Errorf("an archive without manifest.json: %v", err)
	}
	archive := makeTar(t, tarEntry{name: "manifest.json", body: `[{"Config":"c.json","Layers":["l.tar"]}]`},
		tarEntry{name: "c.json", body: `{"rootfs":{"type":"layers","diff_ids":[]}}`})
	if _, err := ArchiveLayerFiles(bytes.NewReader(archive)); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "l.tar") {
		t.Errorf("an archive without its layer: %v", err)
	}
}

func TestCompareWalkIsWalkOrder(t *testing.T) {
	paths := []string{"/a", "/a/b", "/a-c", "/a/b/c", "/ab", "/a.b", "/b", "/a/b-c", "/a/b/c/d", "/"}
	for _, x := range paths {
		for _, y := range paths {
			if got, want := compareWalk(x, y) < 0, walkOrder(x, y); got != want {
				t.Errorf("compareWalk(%q, %q) < 0 is %v, walkOrder says %v", x, y, got, want)
			}
		}
	}
}

package images

import (
	"archive/tar"
	"cmp"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// An image's file tree, layer by layer, as dive shows it: what each layer
// adds, changes and removes, and the bytes wasted by files a later layer
// overwrites or deletes. AnalyzeLayers is a pure function over the layers'
// tar headers; layerfiles_read.go reads them from the store's blobs or
// from a `docker save` stream.

// FileChange is what a layer does to a path.
type FileChange int

const (
	// FileUnchanged: the path is as the layers below have it (a directory
	// a layer lists only as the parent of what it changes).
	FileUnchanged FileChange = iota
	// FileAdded: no layer below has the path.
	FileAdded
	// FileChanged: a layer below has the path, and this one replaces it.
	FileChanged
	// FileRemoved: a whiteout (or an opaque directory) hides the path.
	FileRemoved
)

// Mark is the change's one-letter mark, as `docker diff` prints them
// ("" for unchanged).
func (c FileChange) Mark() string {
	switch c {
	case FileAdded:
		return "A"
	case FileChanged:
		return "C"
	case FileRemoved:
		return "D"
	case FileUnchanged:
	}
	return ""
}

// EntryKind is what a path is.
type EntryKind int

// Entry kinds, with ls's letters (Letter).
const (
	KindFile EntryKind = iota
	KindDir
	KindSymlink
	KindHardlink
	KindCharDevice
	KindBlockDevice
	KindFIFO
)

// Letter is the kind as `ls -l` starts a line ('h' for a hard link).
func (k EntryKind) Letter() byte { return "-dlhcbp"[k] }

// LayerEntry is one path of a layer, or of the image up to a layer.
type LayerEntry struct {
	Path     string // absolute and clean: "/etc/passwd"
	Kind     EntryKind
	Mode     fs.FileMode // permission bits, with setuid, setgid and sticky
	UID, GID int
	// Size is the content bytes of a regular file (0 for a hard link,
	// whose bytes are its target's); for a removed path, the bytes of
	// the file or directory tree it hid.
	Size   int64
	Link   string // a symlink's target, or the path a hard link names
	Change FileChange
	// Opaque marks a directory whose content in the layers below this
	// layer hides (the ".wh..wh..opq" whiteout).
	Opaque bool
}

// LayerFiles is one layer's own entries, in walk order (depth first,
// each directory's entries by name).
type LayerFiles struct {
	DiffID      string // "sha256:…"
	Instruction string // the history step that made the layer ("" when the image has none)
	Size        int64  // bytes of file content the layer holds
	// Wasted is the bytes of this layer's files that a later layer
	// overwrites or removes: never seen in the image, still stored.
	Wasted  int64
	Entries []LayerEntry
}

// FileWaste is a path that more than one layer writes or removes.
type FileWaste struct {
	Path   string
	Layers int   // how many layers write or remove it
	Bytes  int64 // all the bytes its copies take (dive's count)
	Wasted int64 // of those, what the image does not show
}

// LayerAnalysis is an image's layers with their files, and its
// efficiency as dive computes it.
type LayerAnalysis struct {
	Layers []LayerFiles // bottom layer first
	Size   int64        // bytes of file content in all layers
	// Wasted is the bytes stored in layers that the image never shows:
	// the earlier copies of files a later layer overwrites, and files a
	// later layer removes.
	Wasted int64
	// PotentialWaste is dive's "potential wasted space": every byte of
	// every path that more than one layer writes or removes, including
	// the copy the image shows.
	PotentialWaste int64
	// Efficiency is dive's score, from 0 to 1: over every file path, the
	// smallest of its copies (0 once removed) summed, divided by all its
	// copies summed; 1 for an image with no file content. Unlike dive,
	// a removed directory counts against each file it held (dive's tree
	// walk counts it once, at the directory, and never as waste).
	Efficiency float64
	// Waste is the paths more than one layer writes or removes that take
	// bytes, the most bytes first.
	Waste []FileWaste
}

// LayerSource is one layer as AnalyzeLayers reads it.
type LayerSource struct {
	DiffID      string
	Instruction string
	Headers     []*tar.Header // as the layer's tar lists them
}

// copyOf is one layer's write, or removal, of a file path.
type copyOf struct {
	layer   int
	size    int64
	removed bool
}

// linkKey is a file of one layer that hard links of the layer name.
type linkKey struct {
	layer  int
	target string
}

// analysis is AnalyzeLayers at work: the image's tree so far, and every
// write and removal of each file path.
type analysis struct {
	root   *treeNode
	copies map[string][]copyOf
	order  []string // the paths of copies, first seen first
	links  map[linkKey][]string
	out    *LayerAnalysis
}

// AnalyzeLayers lists what each layer adds, changes and removes, and
// counts the waste: whiteouts (".wh.name") and opaque directories
// (".wh..wh..opq") apply to the layers below, as the OCI image spec says,
// so a layer's entries are compared with the tree below it whatever
// their order in the tar; a path listed twice in one layer counts once,
// its last entry.
func AnalyzeLayers(layers []LayerSource) *LayerAnalysis {
	a := &analysis{root: newDirNode(), copies: map[string][]copyOf{}, links: map[linkKey][]string{}, out: &LayerAnalysis{}}
	for i, l := range layers {
		a.layer(i, l)
	}
	a.count()
	return a.out
}

// parsedLayer is a layer's headers sorted out: entries by path, the
// paths whited out, the directories made opaque.
type parsedLayer struct {
	entries  map[string]LayerEntry
	whiteout []string
	opaque   []string
}

func parseLayer(headers []*tar.Header) parsedLayer {
	p := parsedLayer{entries: map[string]LayerEntry{}}
	for _, h := range headers {
		name := path.Clean("/" + h.Name)
		if name == "/" {
			continue
		}
		dir, base := path.Split(name)
		dir = path.Clean(dir)
		switch {
		case base == whiteoutOpaque:
			p.opaque = append(p.opaque, dir)
		case strings.HasPrefix(base, whiteoutPrefix):
			p.whiteout = append(p.whiteout, path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)))
		default:
			p.entries[name] = entryOf(name, h)
		}
	}
	slices.Sort(p.whiteout)
	slices.Sort(p.opaque)
	return p
}

func entryOf(name string, h *tar.Header) LayerEntry {
	e := LayerEntry{Path: name, Mode: fs.FileMode(h.Mode) & fs.ModePerm, UID: h.Uid, GID: h.Gid, Link: h.Linkname}
	if h.Mode&0o4000 != 0 {
		e.Mode |= fs.ModeSetuid
	}
	if h.Mode&0o2000 != 0 {
		e.Mode |= fs.ModeSetgid
	}
	if h.Mode&0o1000 != 0 {
		e.Mode |= fs.ModeSticky
	}
	switch h.Typeflag {
	case tar.TypeDir:
		e.Kind = KindDir
	case tar.TypeSymlink:
		e.Kind = KindSymlink
	case tar.TypeLink:
		e.Kind, e.Link = KindHardlink, path.Clean("/"+h.Linkname)
	case tar.TypeChar:
		e.Kind = KindCharDevice
	case tar.TypeBlock:
		e.Kind = KindBlockDevice
	case tar.TypeFifo:
		e.Kind = KindFIFO
	default:
		e.Kind, e.Size = KindFile, h.Size
	}
	return e
}

// layer compares layer i with the tree below it, then lays it on top.
func (a *analysis) layer(i int, src LayerSource) {
	p := parseLayer(src.Headers)
	lf := LayerFiles{DiffID: src.DiffID, Instruction: src.Instruction}
	for _, e := range p.entries {
		below := a.root.find(e.Path)
		switch {
		case below == nil:
			e.Change = FileAdded
		case below.entry.Kind == KindDir && e.Kind == KindDir && sameAttrs(below.entry, e):
			e.Change = FileUnchanged
		default:
			e.Change = FileChanged
		}
		lf.Entries = append(lf.Entries, e)
		lf.Size += e.Size
		if e.Kind == KindHardlink {
			k := linkKey{layer: i, target: e.Link}
			a.links[k] = append(a.links[k], e.Path)
		}
	}
	// Removals first, on the tree below; then the layer's own entries.
	for _, w := range p.whiteout {
		if n := a.root.find(w); n != nil {
			lf.Entries = append(lf.Entries, removedEntry(n))
			a.removeTree(i, n)
			a.root.remove(w)
		}
	}
	for _, d := range p.opaque {
		n := a.root.find(d)
		if n == nil || n.entry.Kind != KindDir {
			continue
		}
		if _, ok := p.entries[d]; ok {
			for j := range lf.Entries {
				if lf.Entries[j].Path == d {
					lf.Entries[j].Opaque, lf.Entries[j].Change = true, FileChanged
				}
			}
		} else {
			lf.Entries = append(lf.Entries, LayerEntry{Path: d, Kind: KindDir, Mode: n.entry.Mode, UID: n.entry.UID, GID: n.entry.GID,
				Change: FileChanged, Opaque: true})
		}
		lf.Entries = append(lf.Entries, a.hideBelow(i, n, p.entries)...)
		n.children = map[string]*treeNode{}
	}
	for _, e := range sortedEntries(p.entries) {
		a.place(i, e)
	}
	slices.SortFunc(lf.Entries, func(x, y LayerEntry) int { return compareWalk(x.Path, y.Path) })
	a.out.Layers = append(a.out.Layers, lf)
	a.out.Size += lf.Size
}

// hideBelow lists what an opaque directory n hides of the layers below:
// each child the layer does not list again is removed, with all it
// holds; a directory it lists again hides its own children in turn.
func (a *analysis) hideBelow(i int, n *treeNode, entries map[string]LayerEntry) []LayerEntry {
	var out []LayerEntry
	for _, c := range n.sortedChildren() {
		e, again := entries[c.entry.Path]
		switch {
		case !again:
			out = append(out, removedEntry(c))
			a.removeTree(i, c)
		case e.Kind == KindDir && c.entry.Kind == KindDir:
			out = append(out, a.hideBelow(i, c, entries)...)
		case (e.Kind == KindDir) != (c.entry.Kind == KindDir):
			a.removeTree(i, c) // a file for a directory, or the reverse
		}
	}
	return out
}

// place lays entry e of layer i on the tree: a file replacing a
// directory removes what the directory held, a directory replacing a
// file removes the file.
func (a *analysis) place(i int, e LayerEntry) {
	a.root.set(e, func(old *treeNode) { a.removeTree(i, old) })
	if e.Kind != KindDir {
		a.write(e.Path, copyOf{layer: i, size: e.Size})
	}
}

// removeTree records that layer i removes every file of the tree at n.
func (a *analysis) removeTree(i int, n *treeNode) {
	n.walk(func(c *treeNode) {
		if c.entry.Kind != KindDir {
			a.write(c.entry.Path, copyOf{layer: i, removed: true})
		}
	})
}

func (a *analysis) write(p string, c copyOf) {
	if _, ok := a.copies[p]; !ok {
		a.order = append(a.order, p)
	}
	a.copies[p] = append(a.copies[p], c)
}

// count sums the waste and the score: for each file path, every copy but
// the last is wasted (the last is what the image shows, or a removal),
// unless a hard link of the same layer still shows its bytes. The score
// and the potential waste are dive's, which counts a hard link by its own
// entry, empty.
func (a *analysis) count() {
	var least, all int64
	for _, p := range a.order {
		cs := a.copies[p]
		var sum, wasted int64
		low := cs[0].size
		for j, c := range cs {
			sum += c.size
			low = min(low, c.size)
			if j < len(cs)-1 && !a.linkShows(c.layer, p) {
				a.out.Layers[c.layer].Wasted += c.size
				wasted += c.size
			}
		}
		least += low
		all += sum
		a.out.Wasted += wasted
		if len(cs) > 1 && sum > 0 {
			a.out.PotentialWaste += sum
			a.out.Waste = append(a.out.Waste, FileWaste{Path: p, Layers: len(cs), Bytes: sum, Wasted: wasted})
		}
	}
	a.out.Efficiency = 1
	if all > 0 {
		a.out.Efficiency = float64(least) / float64(all)
	}
	slices.SortStableFunc(a.out.Waste, func(x, y FileWaste) int {
		if x.Bytes != y.Bytes {
			return int(min(max(y.Bytes-x.Bytes, -1), 1))
		}
		return strings.Compare(x.Path, y.Path)
	})
}

func sameAttrs(x, y LayerEntry) bool { return x.Mode == y.Mode && x.UID == y.UID && x.GID == y.GID }

// removedEntry is the entry saying a layer removes the tree at n.
func removedEntry(n *treeNode) LayerEntry {
	e := n.entry
	e.Change, e.Opaque, e.Size = FileRemoved, false, n.bytes()
	return e
}

func sortedEntries(m map[string]LayerEntry) []LayerEntry {
	out := make([]LayerEntry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y LayerEntry) int { return compareWalk(x.Path, y.Path) })
	return out
}

// compareWalk orders paths as a depth-first walk visits them, each
// directory's entries by name (walkOrder's order, without its
// allocations): '/' sorts before every byte a name holds.
func compareWalk(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x == y:
			continue
		case x == '/':
			return -1
		case y == '/':
			return 1
		}
		return cmp.Compare(x, y)
	}
	return cmp.Compare(len(a), len(b))
}

// linkShows reports whether a hard link that layer i makes to its file p
// is in the image: the bytes of that copy are still seen through it.
func (a *analysis) linkShows(i int, p string) bool {
	for _, q := range a.links[linkKey{layer: i, target: p}] {
		if cs := a.copies[q]; len(cs) > 0 && cs[len(cs)-1].layer == i && !cs[len(cs)-1].removed {
			return true
		}
	}
	return false
}

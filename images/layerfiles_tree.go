package images

import (
	"path"
	"slices"
	"strings"
)

// treeNode is one path of an image's tree as layers build it.
type treeNode struct {
	entry    LayerEntry
	children map[string]*treeNode // a directory's; nil for anything else
}

func newDirNode() *treeNode {
	return &treeNode{entry: LayerEntry{Path: "/", Kind: KindDir, Mode: 0o755}, children: map[string]*treeNode{}}
}

// find is the node at the clean absolute path p, nil when there is none.
func (n *treeNode) find(p string) *treeNode {
	for _, name := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if name == "" {
			continue
		}
		if n = n.children[name]; n == nil {
			return nil
		}
	}
	return n
}

// remove takes the node at p, and all it holds, out of the tree.
func (n *treeNode) remove(p string) {
	if parent := n.find(path.Dir(p)); parent != nil {
		delete(parent.children, path.Base(p))
	}
}

// set puts e in the tree, making the directories above it as needed. A
// directory put over a directory keeps what it holds. Each node that e
// (or a directory above it) displaces with a different kind (a file for
// a directory, or the reverse) is handed to displaced first, when set.
func (n *treeNode) set(e LayerEntry, displaced func(*treeNode)) {
	parent := n
	for _, name := range strings.Split(strings.TrimPrefix(path.Dir(e.Path), "/"), "/") {
		if name == "" {
			continue
		}
		c := parent.children[name]
		if c == nil || c.children == nil {
			if c != nil && displaced != nil {
				displaced(c)
			}
			c = newDirNode()
			c.entry.Path = path.Join(parent.entry.Path, name)
			parent.children[name] = c
		}
		parent = c
	}
	name := path.Base(e.Path)
	old := parent.children[name]
	nn := &treeNode{entry: e}
	if e.Kind == KindDir {
		nn.children = map[string]*treeNode{}
		if old != nil && old.children != nil {
			nn.children = old.children
		}
	}
	if old != nil && (old.children == nil) != (nn.children == nil) && displaced != nil {
		displaced(old)
	}
	parent.children[name] = nn
}

func (n *treeNode) sortedChildren() []*treeNode {
	out := make([]*treeNode, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y *treeNode) int { return strings.Compare(path.Base(x.entry.Path), path.Base(y.entry.Path)) })
	return out
}

// walk calls fn for n and everything below it, in walk order.
func (n *treeNode) walk(fn func(*treeNode)) {
	fn(n)
	for _, c := range n.sortedChildren() {
		c.walk(fn)
	}
}

// bytes is the file content of the tree at n.
func (n *treeNode) bytes() int64 {
	var sum int64
	n.walk(func(c *treeNode) { sum += c.entry.Size })
	return sum
}

// replay lays a layer's entries, as AnalyzeLayers listed them, on the tree:
// its removals, then the rest.
func (n *treeNode) replay(l *LayerFiles) {
	for _, e := range l.Entries {
		if e.Change == FileRemoved {
			n.remove(e.Path)
		}
	}
	for _, e := range l.Entries {
		if e.Change != FileRemoved {
			n.set(e, nil)
		}
	}
}

// Tree is the image's files as they are after layer top, each marked
// with what was done to it: by layer top alone, or with aggregate by
// every layer above the base (layer 0) up to top, as dive's aggregated
// view; the paths removed are listed too (with the bytes they held when
// removed). It is computed from the analysis alone, in walk order.
func (l *LayerAnalysis) Tree(top int, aggregate bool) []LayerEntry {
	if top < 0 || top >= len(l.Layers) {
		return nil
	}
	from := top
	if aggregate {
		from = min(1, top)
	}
	root := newDirNode()
	for k := range from {
		root.replay(&l.Layers[k])
	}
	type before struct {
		node  *treeNode // nil: not in the tree below from
		entry LayerEntry
	}
	touched := map[string]*before{}
	for k := from; k <= top; k++ {
		for _, e := range l.Layers[k].Entries {
			if _, ok := touched[e.Path]; !ok {
				b := &before{node: root.find(e.Path)}
				if b.node != nil {
					b.entry = b.node.entry
				}
				touched[e.Path] = b
			}
		}
	}
	opaque := map[string]bool{}
	for k := from; k <= top; k++ {
		root.replay(&l.Layers[k])
		for _, e := range l.Layers[k].Entries {
			if e.Opaque {
				opaque[e.Path] = true
			}
		}
	}
	var out []LayerEntry
	root.walk(func(n *treeNode) {
		if n == root {
			return
		}
		e := n.entry
		e.Change, e.Opaque = FileUnchanged, opaque[e.Path]
		if b, ok := touched[e.Path]; ok {
			switch {
			case b.node == nil:
				e.Change = FileAdded
			case b.entry.Kind != KindDir || e.Kind != KindDir || !sameAttrs(b.entry, e):
				e.Change = FileChanged
			}
		}
		out = append(out, e)
	})
	for p, b := range touched {
		if b.node == nil || root.find(p) != nil {
			continue
		}
		if removedAbove(p, func(d string) bool { b := touched[d]; return b != nil && b.node != nil && root.find(d) == nil }) {
			continue // a directory above it is listed as removed
		}
		e := b.entry
		e.Change, e.Opaque, e.Size = FileRemoved, false, b.node.bytes()
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y LayerEntry) int { return compareWalk(x.Path, y.Path) })
	return out
}

// removedAbove reports whether a directory above p is removed.
func removedAbove(p string, removed func(dir string) bool) bool {
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if removed(d) {
			return true
		}
	}
	return false
}

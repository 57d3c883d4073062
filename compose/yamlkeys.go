package compose

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"berth/internal/lazyregexp"
)

// This file finds a key path (services.web.ports) in the YAML trees of
// a project's compose files, for the errors of loaderrors.go.

// lookup is the file and line of key: in file when the error named one,
// else in the last file that has it (a later -f file overrides an
// earlier one). A key found only in part is placed at the deepest part
// found; none at all at the first file, line 0. The key is given back
// with each "*" in it replaced by the key found there.
func lookup(files []string, named, key, hint string) (string, int, string) {
	order := slices.Clone(files)
	slices.Reverse(order)
	if named != "" {
		order = append([]string{named}, order...)
	}
	best, bestFile, bestLine, bestKey := -1, named, 0, key
	for _, f := range order {
		root, err := readNode(f)
		if err != nil {
			continue
		}
		depth, line, stars := find(root, splitKey(key), hint)
		if depth > best && line > 0 {
			best, bestFile, bestLine, bestKey = depth, f, line, key
			for _, s := range stars {
				bestKey = strings.Replace(bestKey, "*", s, 1)
			}
		}
	}
	if parts := splitKey(key); len(parts) > 2 && parts[0] == "services" && best < len(parts) {
		// Not all there: the key may be written under a service this
		// one extends, in another file or under another name.
		for _, ref := range extended(order, parts[1]) {
			root, err := readNode(ref.file)
			if err != nil {
				continue
			}
			refKey := strings.Join(append([]string{"services", ref.service}, parts[2:]...), ".")
			if depth, line, _ := find(root, splitKey(refKey), hint); depth > best && line > 0 {
				best, bestFile, bestLine, bestKey = depth, ref.file, line, refKey
			}
		}
	}
	if bestFile == "" {
		bestFile = files[0]
	}
	return bestFile, bestLine, bestKey
}

// extendsRef is a service a service extends: its file and its name.
type extendsRef struct{ file, service string }

// extended are the services service of files extends, and those they
// extend in turn, each once.
func extended(files []string, service string) []extendsRef {
	var queue, refs []extendsRef
	for _, f := range files {
		queue = append(queue, extendsRef{f, service})
	}
	seen := map[extendsRef]bool{}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if seen[r] {
			continue
		}
		seen[r] = true
		root, err := readNode(r.file)
		if err != nil {
			continue
		}
		ext := mapValue(mapValue(mapValue(root, "services"), r.service), "extends")
		var next extendsRef
		switch {
		case ext == nil:
			continue
		case ext.Kind == yaml.ScalarNode:
			next = extendsRef{r.file, ext.Value}
		default:
			next = extendsRef{r.file, ""}
			if f := mapValue(ext, "file"); f != nil {
				next.file = f.Value
				if !filepath.IsAbs(next.file) {
					next.file = filepath.Join(filepath.Dir(r.file), next.file)
				}
			}
			if s := mapValue(ext, "service"); s != nil {
				next.service = s.Value
			}
		}
		refs = append(refs, next)
		queue = append(queue, next)
	}
	return refs
}

// mapValue is the value of key in mapping n (under its document); nil
// when n is not a mapping or has no such key.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	for n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// syntaxPlace is the file a YAML syntax error at line is in (the one
// the library named, else the first that does not parse) and the keys
// above that line, read from the indentation, since the file has no
// tree to look in.
func syntaxPlace(files []string, named string, line int) (string, int, string) {
	file := named
	if file == "" {
		file = files[0]
		for _, f := range files {
			if _, err := readNode(f); err != nil {
				file = f
				break
			}
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return file, line, ""
	}
	return file, line, keyAbove(strings.Split(string(data), "\n"), line)
}

var yamlLineRE = lazyregexp.New(`line (\d+)(?:, column \d+)?:`)

// yamlLine is the line of a YAML error: the last "line N:" of the
// message, since the first ones say where the enclosing block began.
// The YAML library counts the lines of its parser's errors from 0 and
// those of its scanner from 1.
func yamlLine(msg string) int {
	all := yamlLineRE().FindAllStringSubmatch(msg, -1)
	if len(all) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(all[len(all)-1][1])
	if strings.Contains(msg, "while parsing") || strings.Contains(msg, "did not find expected") {
		n++
	}
	return n
}

var keyLineRE = lazyregexp.New(`^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)\s*:(?:\s|$)`)

// keyAbove is the key path that line (1-based) of a YAML text is under,
// from the keys of the lines before it and their indentation.
func keyAbove(lines []string, line int) string {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	for i := 0; i < line && i < len(lines); i++ {
		m := keyLineRE().FindStringSubmatch(strings.ReplaceAll(lines[i], "\t", "        "))
		if m == nil {
			continue
		}
		indent := len(m[1])
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, level{indent, strings.Trim(m[2], `"'`)})
	}
	keys := make([]string, len(stack))
	for i, l := range stack {
		keys[i] = l.key
	}
	return strings.Join(keys, ".")
}

// emptyFile is the first of files with nothing in it, else the first.
func emptyFile(files []string) string {
	for _, f := range files {
		if root, err := readNode(f); err == nil && len(root.Content) == 0 {
			return f
		}
	}
	return files[0]
}

// readNode is the YAML tree of a compose file.
func readNode(file string) (*yaml.Node, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	return &root, nil
}

// find follows key (its parts) down the tree of n and says how many
// parts it found and the line of the last: a key's own line in a
// mapping, an item's in a list. A part may be a key with dots in it (a
// label, a sysctl): the longest that matches is taken. "*" is any key,
// "[]" any item; among several items the one whose text holds hint is
// preferred. stars are the keys taken for each "*".
func find(n *yaml.Node, parts []string, hint string) (depth, line int, stars []string) {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
			continue
		}
		if len(n.Content) == 0 {
			return 0, 0, nil
		}
		n = n.Content[0]
	}
	if n == nil {
		return 0, 0, nil
	}
	if len(parts) == 0 {
		if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
			if line := hintLine(n, hint); line > 0 {
				return 1, line, nil
			}
		}
		return 0, 0, nil
	}
	try := func(d, l int, child *yaml.Node, rest []string, star []string) {
		dd, ll, more := find(child, rest, hint)
		if dd > 0 {
			d, l = d+dd, ll
		}
		if d > depth {
			depth, line, stars = d, l, append(star, more...)
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if parts[0] == "*" {
				try(1, k.Line, v, parts[1:], []string{k.Value})
				continue
			}
			for j := len(parts); j >= 1; j-- {
				if k.Value == strings.Join(parts[:j], ".") {
					try(j, k.Line, v, parts[j:], nil)
				}
			}
		}
	case yaml.SequenceNode:
		if idx, err := strconv.Atoi(parts[0]); err == nil && idx >= 0 && idx < len(n.Content) {
			try(1, n.Content[idx].Line, n.Content[idx], parts[1:], nil)
		} else if parts[0] == "[]" {
			for _, item := range n.Content {
				if hint == "" || strings.Contains(nodeText(item), hint) {
					try(1, item.Line, item, parts[1:], nil)
				}
			}
		}
	default: // a scalar has nothing under it
	}
	return depth, line, stars
}

// hintLine is the line of the item or key of list or mapping n whose
// text holds hint; 0 when none does.
func hintLine(n *yaml.Node, hint string) int {
	if hint == "" {
		return 0
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if strings.Contains(nodeText(item), hint) {
				return item.Line
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == hint {
				return n.Content[i].Line
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if strings.Contains(nodeText(n.Content[i+1]), hint) {
				return n.Content[i].Line
			}
		}
	default: // a scalar has no items
	}
	return 0
}

// nodeText is every scalar under n, joined.
func nodeText(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	var parts []string
	for _, c := range n.Content {
		parts = append(parts, nodeText(c))
	}
	return strings.Join(parts, " ")
}

// splitKey is a key path's parts; "" is none.
func splitKey(key string) []string {
	if key == "" {
		return nil
	}
	return strings.Split(key, ".")
}

// joinKey is key path a with b under it.
func joinKey(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

package compose

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// FileError is a compose file that is wrong at one place: the file, the
// line (0 when it could not be found) and the key, as
// services.web.ports, with what is wrong there.
type FileError struct {
	File string
	Line int
	Key  string
	Err  error // what is wrong, as the library or berth said it
	// msg is Err's message without the file and key it repeats.
	msg string
}

func (e *FileError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		where += ": " + e.Key
	}
	return where + ": " + e.msg
}

func (e *FileError) Unwrap() error { return e.Err }

// place is where in the compose files an error points: a key path,
// the file it names (none: any of them) and a value to prefer among the
// items of a list (the bad port of ports:). line is the line the
// library gave, when it gave one.
type place struct {
	file string
	key  string
	hint string
	line int
	msg  string
}

// errorPlaces read the place out of each kind of error compose-go
// gives: a YAML syntax error has a line but no key, a schema error the
// file and the key path, an interpolation or decoding error the key
// path only, a consistency error the service and what it refers to.
var errorPlaces = []struct {
	re    *regexp.Regexp
	place func(m []string) place
}{
	{regexp.MustCompile(`(?s)^validating (.+?): (\S*) ?additional propert(?:y|ies) '([^']+)'.* not allowed$`), func(m []string) place {
		return place{file: m[1], key: joinKey(m[2], m[3]), msg: "unknown key"}
	}},
	{regexp.MustCompile(`(?s)^validating (.+?): (\S+) false schema$`), func(m []string) place {
		return place{file: m[1], key: m[2], msg: "unknown key"}
	}},
	{regexp.MustCompile(`(?s)^validating (.+?): (\S*) (.*)$`), func(m []string) place {
		return place{file: m[1], key: m[2], msg: m[3]}
	}},
	{regexp.MustCompile(`(?s)^error while interpolating (\S+): (.*)$`), func(m []string) place {
		return place{key: m[1], msg: m[2]}
	}},
	{regexp.MustCompile(`(?s)^invalid interpolation format for (\S+?)\.?\n(.*)$`), func(m []string) place {
		return place{key: m[1], msg: "invalid interpolation format: " + strings.Join(strings.Fields(m[2]), " ")}
	}},
	{regexp.MustCompile(`(?s)^decoding failed due to the following error\(s\):\s*'([^']*)' (.*)$`), func(m []string) place {
		return place{key: mapstructureKey(m[1]), msg: firstLine(m[2])}
	}},
	{regexp.MustCompile(`(?s)^service "([^"]+)" refers to undefined (?:build )?(network|volume|secret|config|model) (\S+?)(?:: .*)?$`), func(m []string) place {
		return place{key: "services." + m[1] + "." + m[2] + "s", hint: m[3], msg: "undefined " + m[2] + " " + strconv.Quote(m[3])}
	}},
	{regexp.MustCompile(`(?s)^service "([^"]+)" depends on (?:undefined|unknown) service "([^"]+)"`), func(m []string) place {
		return place{key: "services." + m[1] + ".depends_on", hint: m[2], msg: "undefined service " + strconv.Quote(m[2])}
	}},
	{regexp.MustCompile(`(?s)^service "([^"]+)" is required by "([^"]+)" but is disabled(.*)$`), func(m []string) place {
		return place{key: "services." + m[2] + ".depends_on", hint: m[1], msg: "service " + strconv.Quote(m[1]) + " is disabled" + m[3]}
	}},
	{regexp.MustCompile(`(?s)^dependency cycle detected: (\S+) -> (\S+)(.*)$`), func(m []string) place {
		return place{key: "services." + m[1] + ".depends_on", hint: m[2], msg: "dependency cycle: " + m[1] + " -> " + m[2] + m[3]}
	}},
	{regexp.MustCompile(`(?s)^service "?([^" ]+)"? (has neither an image nor a build context specified|declares .*?)(?:: invalid compose project)?$`), func(m []string) place {
		return place{key: "services." + m[1], msg: m[2]}
	}},
	{regexp.MustCompile(`(?s)^cannot extend service "([^"]+)" in (.+?): (.*)$`), func(m []string) place {
		return place{file: m[2], key: "services." + m[1] + ".extends", msg: m[3]}
	}},
	{regexp.MustCompile(`(?s)^((?:services|networks|volumes|secrets|configs)\.[^: ]+): (.*)$`), func(m []string) place {
		return place{key: m[1], msg: m[2]}
	}},
	{regexp.MustCompile(`(?s)^(\S+) (must be a mapping)$`), func(m []string) place {
		return place{key: m[1], msg: m[2]}
	}},
	{regexp.MustCompile(`(?s)^(healthcheck\.test must start .*)$`), func(m []string) place {
		return place{key: "services.*.healthcheck.test", msg: m[1]}
	}},
	{regexp.MustCompile(`(?s)^(empty compose file)$`), func(m []string) place {
		return place{msg: m[1]}
	}},
	{regexp.MustCompile(`(?s)^(invalid (?:hostPort|containerPort|IP address|proto): (.*))$`), func(m []string) place {
		return place{key: "services.*.ports", hint: m[2], msg: m[1]}
	}},
	{regexp.MustCompile(`(?s)^((?:secret|config) "([^"]+)" must declare .*?)(?:: invalid compose project)?$`), func(m []string) place {
		return place{key: strings.Fields(m[1])[0] + "s." + m[2], msg: m[1]}
	}},
	{regexp.MustCompile(`(?s)^(env file (.+?) not found): .*$`), func(m []string) place {
		return place{key: "services.*.env_file", hint: filepath.Base(m[2]), msg: m[1]}
	}},
	{regexp.MustCompile(`(?s)^(?:failed to parse (.+?): )?yaml: (.*)$`), func(m []string) place {
		return place{file: m[1], line: yamlLine(m[2]), msg: "yaml: " + m[2]}
	}},
}

// locate turns a load error into a FileError naming the file, the line
// and the key, read from the error and looked up in files (the project's
// compose files, in the order they were merged). An error it cannot
// place is returned as it was.
func locate(files []string, err error) error {
	if err == nil || len(files) == 0 {
		return err
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return err
	}
	text := err.Error()
	for _, ep := range errorPlaces {
		m := ep.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		pl := ep.place(m)
		fe := &FileError{Key: pl.key, Err: err, msg: pl.msg}
		if pl.line > 0 {
			fe.File, fe.Line, fe.Key = syntaxPlace(files, pl.file, pl.line)
			return fe
		}
		if pl.key == "" {
			fe.File = emptyFile(files)
			return fe
		}
		fe.File, fe.Line, fe.Key = lookup(files, pl.file, pl.key, pl.hint)
		return fe
	}
	return err
}

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

var yamlLineRE = regexp.MustCompile(`line (\d+)(?:, column \d+)?:`)

// yamlLine is the line of a YAML error: the last "line N:" of the
// message, since the first ones say where the enclosing block began.
// The YAML library counts the lines of its parser's errors from 0 and
// those of its scanner from 1.
func yamlLine(msg string) int {
	all := yamlLineRE.FindAllStringSubmatch(msg, -1)
	if len(all) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(all[len(all)-1][1])
	if strings.Contains(msg, "while parsing") || strings.Contains(msg, "did not find expected") {
		n++
	}
	return n
}

var keyLineRE = regexp.MustCompile(`^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#:'"][^:#]*?)\s*:(?:\s|$)`)

// keyAbove is the key path that line (1-based) of a YAML text is under,
// from the keys of the lines before it and their indentation.
func keyAbove(lines []string, line int) string {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	for i := 0; i < line && i < len(lines); i++ {
		m := keyLineRE.FindStringSubmatch(strings.ReplaceAll(lines[i], "\t", "        "))
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

var mapstructureIndexRE = regexp.MustCompile(`\[([^\]]*)\]`)

// mapstructureKey is a decoding error's path, services[web].ports[0],
// as a key path, services.web.ports.0.
func mapstructureKey(path string) string {
	return mapstructureIndexRE.ReplaceAllString(path, ".$1")
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// serviceKeyError is a service key berth refuses or cannot read, from
// createOptions: placed in the files by locateService.
type serviceKeyError struct {
	service string
	key     string
	err     error
}

func (e *serviceKeyError) Error() string {
	return fmt.Sprintf("service %q: %s: %v", e.service, e.key, e.err)
}

func (e *serviceKeyError) Unwrap() error { return e.err }

// locateService places an error of berth's own about a service key in
// the project's files: services.NAME.KEY, at its line.
func locateService(files []string, err error) error {
	var ke *serviceKeyError
	if !errors.As(err, &ke) || len(files) == 0 {
		return err
	}
	key := "services." + ke.service + "." + ke.key
	file, line, _ := lookup(files, "", key, "")
	return &FileError{File: file, Line: line, Key: key, Err: err, msg: ke.err.Error()}
}

// missingFile is a file the project needs that is not there: a compose
// file, an env_file. Docker Compose gives it the exit code of no file
// (ErrNoFile), and its message is the file's.
type missingFile struct{ err error }

func (e *missingFile) Error() string { return e.err.Error() }

func (e *missingFile) Unwrap() error { return e.err }

func (e *missingFile) Is(target error) bool { return target == ErrNoFile }

// errVariableUnset is a secret or config whose environment variable
// is not set.
func errVariableUnset(name string) error {
	return fmt.Errorf("environment variable %s is not set", name)
}

// errReadOnlyFile is a secret or config that is not a file, on a
// service whose root is read-only: it is written into the container's
// root before it starts, as Docker Compose copies it, which a read-only
// root refuses.
func errReadOnlyFile(r fileRef) error {
	return fmt.Errorf("%s %q is not a file: it is written into the container's root, and read_only makes that root read-only (make it a file:)", r.kind, r.name)
}

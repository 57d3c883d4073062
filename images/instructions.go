package images

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"berth/internal/lazyregexp"
)

// Config instructions: the Dockerfile instructions that change only the
// image config. `import --change` takes a subset of them, and build uses
// the same code for its metadata steps. The syntax comes from buildkit's
// reference parser; the semantics are ours.

// changeInstructions are the instructions `docker import --change` accepts.
var changeInstructions = map[string]bool{
	"cmd": true, "entrypoint": true, "env": true, "expose": true, "label": true,
	"onbuild": true, "user": true, "volume": true, "workdir": true, "stopsignal": true,
}

// defaultShell is what shell-form commands run under unless SHELL says otherwise.
var defaultShell = []string{"/bin/sh", "-c"}

// configState applies config instructions to one image config.
type configState struct {
	cfg    *ImageConfig
	lex    *shell.Lex
	cmdSet bool // CMD given since the stage began, so ENTRYPOINT keeps it
	// extraEnv is visible to expansion but not stored (build arguments).
	extraEnv []string
}

func newConfigState(cfg *ImageConfig, escape rune) *configState {
	return &configState{cfg: cfg, lex: shell.NewLex(escape)}
}

// applyChanges applies `--change` instructions to cfg, in order.
func applyChanges(cfg *ImageConfig, changes []string) error {
	st := newConfigState(cfg, '\\')
	for _, change := range changes {
		node, err := parseChange(change)
		if err != nil {
			return err
		}
		if err := st.apply(node); err != nil {
			return fmt.Errorf("%w: %q: %w", ErrInvalidChange, change, err)
		}
	}
	return nil
}

// parseChange parses one --change instruction.
func parseChange(change string) (*parser.Node, error) {
	res, err := parser.Parse(strings.NewReader(change))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrInvalidChange, change, err)
	}
	if len(res.AST.Children) != 1 {
		return nil, fmt.Errorf("%w: %q: want exactly one instruction", ErrInvalidChange, change)
	}
	node := res.AST.Children[0]
	if !changeInstructions[instruction(node)] {
		return nil, fmt.Errorf("%w: %q: %s is not supported by import", ErrInvalidChange, change, strings.ToUpper(node.Value))
	}
	return node, nil
}

// envGetter serves variable lookups from KEY=VALUE lists; later entries win.
type envGetter []string

func (e envGetter) Get(key string) (string, bool) {
	for i := len(e) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(e[i], "="); k == key {
			return v, true
		}
	}
	return "", false
}

func (e envGetter) Keys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, kv := range e {
		k, _, _ := strings.Cut(kv, "=")
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func (st *configState) env() envGetter {
	return append(append(envGetter{}, st.extraEnv...), st.cfg.Env...)
}

// expand substitutes variables and removes quotes, as the shell would.
func (st *configState) expand(word string) (string, error) {
	out, _, err := st.lex.ProcessWord(word, st.env())
	return out, err
}

// args lists the values of node's argument chain.
func args(node *parser.Node) []string {
	var out []string
	for n := node.Next; n != nil; n = n.Next {
		out = append(out, n.Value)
	}
	return out
}

// command turns a CMD/ENTRYPOINT/RUN argument into argv: JSON form as is,
// shell form wrapped in the current shell.
func (st *configState) command(node *parser.Node) []string {
	a := args(node)
	if node.Attributes["json"] {
		if a == nil {
			a = []string{}
		}
		return a
	}
	sh := st.cfg.Shell
	if len(sh) == 0 {
		sh = defaultShell
	}
	return append(append([]string{}, sh...), strings.Join(a, " "))
}

// apply applies one config instruction.
func (st *configState) apply(node *parser.Node) error {
	cfg := st.cfg
	a := args(node)
	switch instruction(node) {
	case "cmd":
		cfg.Cmd = st.command(node)
		st.cmdSet = true
	case "entrypoint":
		cfg.Entrypoint = st.command(node)
		if !st.cmdSet {
			cfg.Cmd = nil
		}
	case "shell":
		if !node.Attributes["json"] || len(a) == 0 {
			return fmt.Errorf("SHELL requires a non-empty JSON array")
		}
		cfg.Shell = a
	case "env":
		return st.keyValues(a, "ENV", func(k, v string) { cfg.Env = setEnv(cfg.Env, k, v) })
	case "label":
		return st.keyValues(a, "LABEL", func(k, v string) {
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[k] = v
		})
	case "expose":
		return st.expose(a)
	case "volume":
		if len(a) == 0 {
			return fmt.Errorf("VOLUME requires at least one path")
		}
		for _, v := range a {
			v, err := st.expand(v)
			if err != nil {
				return err
			}
			if v == "" {
				return fmt.Errorf("VOLUME path must not be empty")
			}
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			cfg.Volumes[v] = struct{}{}
		}
	case "user", "workdir", "stopsignal":
		if len(a) != 1 || a[0] == "" {
			return fmt.Errorf("%s requires exactly one argument", strings.ToUpper(node.Value))
		}
		v, err := st.expand(a[0])
		if err != nil {
			return err
		}
		switch instruction(node) {
		case "user":
			cfg.User = v
		case "workdir":
			if !path.IsAbs(v) {
				v = path.Join("/", cfg.WorkingDir, v)
			}
			cfg.WorkingDir = path.Clean(v)
		case "stopsignal":
			cfg.StopSignal = v
		}
	case "onbuild":
		return st.onbuild(node)
	case "healthcheck":
		return st.healthcheck(node)
	default:
		return fmt.Errorf("%s does not change the config", strings.ToUpper(node.Value))
	}
	return nil
}

// keyValues applies ENV or LABEL arguments: the parser gives triplets of
// key, value and separator ("=" or "" for the old "KEY value" form).
func (st *configState) keyValues(a []string, name string, set func(k, v string)) error {
	if len(a) == 0 || len(a)%3 != 0 {
		return fmt.Errorf("%s requires KEY=VALUE pairs", name)
	}
	for i := 0; i < len(a); i += 3 {
		k, err := st.expand(a[i])
		if err != nil {
			return err
		}
		v, err := st.expand(a[i+1])
		if err != nil {
			return err
		}
		if k == "" {
			return fmt.Errorf("%s names must not be empty", name)
		}
		set(k, v)
	}
	return nil
}

// setEnv sets k=v in env, replacing an earlier value in place.
func setEnv(env []string, k, v string) []string {
	for i, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); name == k {
			out := append([]string{}, env...)
			out[i] = k + "=" + v
			return out
		}
	}
	return append(append([]string{}, env...), k+"="+v)
}

func (st *configState) expose(a []string) error {
	if len(a) == 0 {
		return fmt.Errorf("EXPOSE requires at least one port")
	}
	for _, p := range a {
		p, err := st.expand(p)
		if err != nil {
			return err
		}
		ports, err := parsePortSpec(p)
		if err != nil {
			return err
		}
		if st.cfg.ExposedPorts == nil {
			st.cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, port := range ports {
			st.cfg.ExposedPorts[port] = struct{}{}
		}
	}
	return nil
}

// parsePortSpec parses "80", "80/udp" or "8000-8002/tcp" into "port/proto"
// keys.
func parsePortSpec(spec string) ([]string, error) {
	ports, proto, hasProto := strings.Cut(spec, "/")
	if !hasProto {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return nil, fmt.Errorf("invalid protocol in port %q", spec)
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	first, err := strconv.ParseUint(lo, 10, 16)
	if err != nil || first == 0 {
		return nil, fmt.Errorf("invalid port %q", spec)
	}
	last := first
	if isRange {
		last, err = strconv.ParseUint(hi, 10, 16)
		if err != nil || last < first {
			return nil, fmt.Errorf("invalid port range %q", spec)
		}
	}
	var out []string
	for p := first; p <= last; p++ {
		out = append(out, fmt.Sprintf("%d/%s", p, proto))
	}
	return out, nil
}

var onbuildPrefix = lazyregexp.New(`(?i)^\s*ONBUILD\s*`)

func (st *configState) onbuild(node *parser.Node) error {
	if node.Next == nil || len(node.Next.Children) == 0 {
		return fmt.Errorf("ONBUILD requires an instruction")
	}
	switch instruction(node.Next.Children[0]) {
	case "onbuild", "from", "maintainer":
		return fmt.Errorf("%s is not allowed as an ONBUILD trigger", strings.ToUpper(node.Next.Children[0].Value))
	}
	trigger := onbuildPrefix().ReplaceAllString(node.Original, "")
	st.cfg.OnBuild = append(append([]string{}, st.cfg.OnBuild...), trigger)
	return nil
}

func (st *configState) healthcheck(node *parser.Node) error {
	if node.Next == nil {
		return fmt.Errorf("HEALTHCHECK requires NONE or CMD")
	}
	typ := strings.ToUpper(node.Next.Value)
	switch typ {
	case "NONE":
		if node.Next.Next != nil || len(node.Flags) > 0 {
			return fmt.Errorf("HEALTHCHECK NONE takes no arguments or options")
		}
		st.cfg.Healthcheck = &Healthcheck{Test: []string{"NONE"}}
		return nil
	case "CMD":
	default:
		return fmt.Errorf("HEALTHCHECK: unknown type %q", node.Next.Value)
	}
	cmd := node.Next.Next
	if cmd == nil {
		return fmt.Errorf("HEALTHCHECK CMD requires a command")
	}
	hc := &Healthcheck{}
	var argv []string
	for n := cmd; n != nil; n = n.Next {
		argv = append(argv, n.Value)
	}
	if node.Next.Next != nil && isJSONNode(node) {
		hc.Test = append([]string{"CMD"}, argv...)
	} else {
		hc.Test = []string{"CMD-SHELL", strings.Join(argv, " ")}
	}
	for _, flag := range node.Flags {
		name, value, ok := strings.Cut(strings.TrimLeft(flag, "-"), "=")
		if !ok {
			return fmt.Errorf("HEALTHCHECK: option %q needs a value", flag)
		}
		if name == "retries" {
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return fmt.Errorf("HEALTHCHECK: invalid --retries %q", value)
			}
			hc.Retries = n
			continue
		}
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return fmt.Errorf("HEALTHCHECK: invalid --%s %q", name, value)
		}
		if d != 0 && d < time.Millisecond { // docker's minimum
			return fmt.Errorf("HEALTHCHECK: --%s %s cannot be less than 1ms", name, value)
		}
		switch name {
		case "interval":
			hc.Interval = d
		case "timeout":
			hc.Timeout = d
		case "start-period":
			hc.StartPeriod = d
		case "start-interval":
			hc.StartInterval = d
		default:
			return fmt.Errorf("HEALTHCHECK: unknown option --%s", name)
		}
	}
	st.cfg.Healthcheck = hc
	return nil
}

// instruction is the lower-case name of the instruction node holds.
func instruction(node *parser.Node) string { return strings.ToLower(node.Value) }

// isJSONNode reports whether the parser read node's arguments in JSON form.
func isJSONNode(node *parser.Node) bool { return node.Attributes["json"] }

// sortedKeys lists a set's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package images

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Runner runs the RUN steps of a build in real containers; the engine
// implements it. The images package prepares the step's root filesystem
// and turns what the step changed into a layer.
type Runner interface {
	// Run runs one step and returns when it has exited; a non-zero exit
	// is an error. The step's changes must land in the root filesystem
	// that Mounts describe (Target "" is the root itself).
	Run(ctx context.Context, step RunStep) error
}

// RunStep is one RUN instruction ready to run.
type RunStep struct {
	ID         string   // unique ID for the step's container
	Mounts     []Mount  // the root filesystem, to mount before running
	Args       []string // argv: shell form already wrapped in the shell
	Env        []string // the image's environment plus build arguments
	WorkingDir string   // "" means /
	User       string   // "" means root; name or uid[:gid], resolved in the rootfs
	Network    string   // "", "default" or "host": the host's; "none": loopback only
	Stdout     io.Writer
	Stderr     io.Writer
}

// BuildOptions configure Build.
type BuildOptions struct {
	// ContextDir is the build context; "" builds without one (COPY and
	// ADD of local files then fail).
	ContextDir string
	// Dockerfile is the path of the Dockerfile; "" means
	// ContextDir/Dockerfile. Ignored when DockerfileText is set.
	Dockerfile string
	// DockerfileText is the Dockerfile itself (`build - < Dockerfile`).
	DockerfileText []byte
	Tags           []string
	BuildArgs      map[string]string
	// Target names the stage to build; "" builds the last.
	Target  string
	NoCache bool
	// Labels are added to the final image's config.
	Labels map[string]string
	// Runner runs RUN steps; a Dockerfile with RUN needs one.
	Runner Runner
	// Pull, when set, fetches a base image that is not in the store
	// (FROM or COPY --from); nil makes a missing base image an error.
	Pull func(ctx context.Context, ref string) (*Image, error)
	// Output receives the build log: steps, CACHED, RUN output. nil
	// discards it.
	Output io.Writer

	// ContextArchive, when set, is the build context as a tar (plain or
	// compressed), as `build -` reads it: it is unpacked under the store's
	// tmp/ (ContextDir is ignored) and Dockerfile, unless DockerfileText
	// is set, names a file inside it ("" is Dockerfile).
	ContextArchive io.Reader
	// Network is RUN steps' network: "" (as "default" and "host") the
	// host's, "none" a namespace with loopback only.
	Network string
	// PullAlways pulls every base image through Pull, even one already
	// stored (`build --pull`).
	PullAlways bool
	// Progress, when set, is told of each step as it starts and ends,
	// in order, from the goroutine that called Build.
	Progress func(BuildStep)
}

// stage is one FROM … section of a Dockerfile.
type stage struct {
	index    int
	name     string // lower-case AS name, "" when none
	from     *parser.Node
	commands []*parser.Node
}

// stageState is a stage being built.
type stageState struct {
	cfg     configFile
	stack   layerStack
	cs      *configState
	args    map[string]string // ARGs declared in the stage with a value
	key     string            // cache key of the state so far
	parent  digest.Digest     // the image the stage chain started from; "" for scratch
	created time.Time         // time of the latest layer step, for history
}

type builder struct {
	s         *Store
	ctx       context.Context
	opts      BuildOptions
	out       io.Writer
	escape    rune
	stages    []*stage
	built     map[int]*stageState
	global    map[string]string // ARGs before the first FROM
	usedArgs  map[string]bool
	context   *sourceRoot
	merged    map[string]string // source roots of stages and images, by key
	cleanups  []func()
	step, all int
	// stepCached says the step under way reused a cached layer.
	stepCached bool
}

// Build builds an image from a Dockerfile, as `docker build`. Each RUN,
// COPY and ADD makes one layer; other instructions only change the config
// and add an empty history entry. Steps whose parent state and inputs are
// unchanged reuse their cached layer unless NoCache.
func (s *Store) Build(ctx context.Context, opts BuildOptions) (*Image, error) {
	var refs []string
	for _, t := range opts.Tags {
		named, err := parseTagReference(t)
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		refs = append(refs, named.String())
	}
	if opts.ContextArchive != nil {
		dir, err := s.unpackContext(opts.ContextArchive)
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }() // our own temporary copy
		opts.ContextDir = dir
		if opts.DockerfileText == nil {
			if opts.Dockerfile, err = dockerfileInContext(dir, opts.Dockerfile); err != nil {
				return nil, fmt.Errorf("build: %w", err)
			}
		}
	}
	text := opts.DockerfileText
	if text == nil {
		name := opts.Dockerfile
		if name == "" {
			if opts.ContextDir == "" {
				return nil, fmt.Errorf("build: no Dockerfile and no context")
			}
			name = filepath.Join(opts.ContextDir, "Dockerfile")
		}
		var err error
		if text, err = os.ReadFile(name); err != nil {
			return nil, fmt.Errorf("build: read Dockerfile: %w", err)
		}
	}
	res, err := parser.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("build: parse Dockerfile: %w", err)
	}
	if err := checkInstructions(res.AST); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	b := &builder{
		s: s, ctx: ctx, opts: opts, out: opts.Output, escape: res.EscapeToken,
		built: map[int]*stageState{}, global: map[string]string{}, usedArgs: map[string]bool{},
		merged: map[string]string{},
	}
	if b.out == nil {
		b.out = io.Discard
	}
	defer func() {
		for _, c := range b.cleanups {
			c()
		}
	}()
	if opts.ContextDir != "" {
		if b.context, err = newContextRoot(opts.ContextDir); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	if err := b.split(res.AST); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	target := len(b.stages) - 1
	if opts.Target != "" {
		if target = b.stageIndex(opts.Target); target < 0 {
			return nil, fmt.Errorf("build: target stage %q not found", opts.Target)
		}
	}
	needed := b.needed(target)
	for i := 0; i <= target; i++ {
		if needed[i] {
			b.all += 1 + len(b.stages[i].commands)
		}
	}
	for i := 0; i <= target; i++ {
		if !needed[i] {
			continue
		}
		if err := b.buildStage(b.stages[i]); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	var unused []string
	for k := range opts.BuildArgs {
		if !b.usedArgs[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		fmt.Fprintf(b.out, "[Warning] One or more build-args %v were not consumed\n", unused)
	}
	id, err := b.commit(b.built[target], refs)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	s.tagEvents(refs, id)
	fmt.Fprintf(b.out, "Successfully built %s\n", id.Encoded()[:12])
	for _, r := range refs {
		fmt.Fprintf(b.out, "Successfully tagged %s\n", FamiliarReference(r))
	}
	return s.Lookup(id.String())
}

// split cuts the Dockerfile into stages; before the first FROM only ARG
// may stand.
func (b *builder) split(ast *parser.Node) error {
	var cur *stage
	for _, n := range ast.Children {
		switch instruction(n) {
		case "from":
			cur = &stage{index: len(b.stages), from: n}
			a := args(n)
			if len(a) == 3 && strings.EqualFold(a[1], "as") {
				cur.name = strings.ToLower(a[2])
			} else if len(a) != 1 {
				return fmt.Errorf("line %d: FROM takes an image and optionally AS name", n.StartLine)
			}
			b.stages = append(b.stages, cur)
		case "arg":
			if cur == nil {
				if err := b.globalArg(n); err != nil {
					return err
				}
				continue
			}
			cur.commands = append(cur.commands, n)
		default:
			if cur == nil {
				return fmt.Errorf("line %d: %s before the first FROM", n.StartLine, strings.ToUpper(n.Value))
			}
			cur.commands = append(cur.commands, n)
		}
	}
	if len(b.stages) == 0 {
		return fmt.Errorf("the Dockerfile has no FROM")
	}
	return nil
}

func (b *builder) globalArg(n *parser.Node) error {
	lex := newConfigState(&ImageConfig{}, b.escape)
	for _, kv := range args(n) {
		name, def, hasDef := strings.Cut(kv, "=")
		if v, ok := b.opts.BuildArgs[name]; ok {
			b.global[name] = v
			b.usedArgs[name] = true
			continue
		}
		if hasDef {
			lex.extraEnv = envList(b.global)
			v, err := lex.expand(def)
			if err != nil {
				return fmt.Errorf("line %d: %w", n.StartLine, err)
			}
			b.global[name] = v
		}
	}
	return nil
}

func envList(m map[string]string) []string {
	keys := sortedKeys(m)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+m[k])
	}
	return out
}

// stageIndex finds a stage by name or number; -1 when none.
func (b *builder) stageIndex(ref string) int {
	for _, st := range b.stages {
		if st.name != "" && st.name == strings.ToLower(ref) {
			return st.index
		}
	}
	if n, err := strconv.Atoi(ref); err == nil && n >= 0 && n < len(b.stages) {
		return n
	}
	return -1
}

// needed marks the stages the target depends on through FROM and
// COPY --from.
func (b *builder) needed(target int) map[int]bool {
	need := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if need[i] {
			return
		}
		need[i] = true
		st := b.stages[i]
		if j := b.stageIndex(b.expandGlobal(args(st.from)[0])); j >= 0 && j < i {
			visit(j)
		}
		for _, c := range st.commands {
			for _, f := range c.Flags {
				if from, ok := strings.CutPrefix(f, "--from="); ok {
					if j := b.stageIndex(from); j >= 0 && j < i {
						visit(j)
					}
				}
			}
		}
	}
	visit(target)
	return need
}

func (b *builder) expandGlobal(word string) string {
	lex := newConfigState(&ImageConfig{}, b.escape)
	lex.extraEnv = envList(b.global)
	v, err := lex.expand(word)
	if err != nil {
		return word
	}
	return v
}

func (b *builder) stepf(format string, a ...any) {
	b.step++
	fmt.Fprintf(b.out, "STEP %d/%d: %s\n", b.step, b.all, fmt.Sprintf(format, a...))
}

func (b *builder) buildStage(st *stage) error {
	b.stepf("%s", st.from.Original)
	b.startStep(st.from.Original)
	state, err := b.from(st)
	if err != nil {
		return fmt.Errorf("line %d: %w", st.from.StartLine, err)
	}
	b.endStep(st.from.Original)
	b.built[st.index] = state
	for _, n := range st.commands {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		b.stepf("%s", n.Original)
		b.startStep(n.Original)
		if err := b.dispatch(state, n); err != nil {
			return fmt.Errorf("line %d: %s: %w", n.StartLine, strings.ToUpper(n.Value), err)
		}
		b.endStep(n.Original)
	}
	return nil
}

// from starts a stage's state from scratch, an earlier stage or an image,
// then runs the base image's ONBUILD triggers.
func (b *builder) from(st *stage) (*stageState, error) {
	for _, f := range st.from.Flags {
		if strings.HasPrefix(f, "--platform") {
			fmt.Fprintf(b.out, "[Warning] FROM %s is ignored: berth builds for this machine's platform\n", f)
			continue
		}
		return nil, fmt.Errorf("unknown FROM option %s", f)
	}
	base := b.expandGlobal(args(st.from)[0])
	state := &stageState{args: map[string]string{}}
	switch j := b.stageIndex(base); {
	case strings.EqualFold(base, "scratch"):
		state.cfg = newConfig(ImageConfig{}, nil, nil, time.Unix(0, 0).UTC())
		state.key = cacheKey("scratch")
	case j >= 0 && j < st.index && b.built[j] != nil:
		prev := b.built[j]
		state.cfg = prev.cfg
		state.cfg.History = append([]v1.History{}, prev.cfg.History...)
		state.stack = prev.stack.clone()
		state.key = prev.key
		state.created = prev.created
		state.parent = prev.parent
	default:
		img, err := b.image(base)
		if err != nil {
			return nil, fmt.Errorf("base image %s: %w", base, err)
		}
		if err := b.fromImage(state, img); err != nil {
			return nil, err
		}
	}
	state.cfg.RootFS.DiffIDs = nil
	state.cfg.Config.Env = defaultPathEnv(state.cfg.Config.Env)
	if state.created.IsZero() && state.cfg.Created != nil {
		state.created = *state.cfg.Created
	}
	state.cs = newConfigState(&state.cfg.Config, b.escape)
	triggers := state.cfg.Config.OnBuild
	state.cfg.Config.OnBuild = nil
	for _, t := range triggers {
		res, err := parser.Parse(strings.NewReader(t))
		if err != nil || len(res.AST.Children) != 1 {
			return nil, fmt.Errorf("ONBUILD trigger %q of the base image: cannot parse", t)
		}
		fmt.Fprintf(b.out, "ONBUILD %s\n", t)
		if err := b.dispatch(state, res.AST.Children[0]); err != nil {
			return nil, fmt.Errorf("ONBUILD trigger %q: %w", t, err)
		}
	}
	return state, nil
}

// image finds a base image, pulling it when the build may.
func (b *builder) image(ref string) (*Image, error) {
	img, err := b.s.Lookup(ref)
	if (b.opts.PullAlways || errors.Is(err, ErrNotFound)) && b.opts.Pull != nil {
		fmt.Fprintf(b.out, "pulling %s\n", ref)
		return b.opts.Pull(b.ctx, ref)
	}
	return img, err
}

func (b *builder) fromImage(state *stageState, img *Image) error {
	id := digest.NewDigestFromEncoded(digest.SHA256, img.ID)
	cfg, err := b.s.readConfig(id)
	if err != nil {
		return err
	}
	rec, err := b.s.readRecord(id)
	if err != nil {
		return err
	}
	m, err := b.s.readManifest(rec.Manifest.Digest)
	if err != nil {
		return err
	}
	state.cfg = *cfg
	state.stack = layerStack{
		Layers:  m.Layers,
		DiffIDs: cfg.RootFS.DiffIDs,
		Chains:  identity.ChainIDs(append([]digest.Digest{}, cfg.RootFS.DiffIDs...)),
		Sizes:   rec.LayerSizes,
	}
	state.key = cacheKey("image", img.ID)
	state.parent = id
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 16)
	}
	return hex.EncodeToString(b)
}

// commit stores the final state as an image.
func (b *builder) commit(state *stageState, refs []string) (digest.Digest, error) {
	cfg := state.cfg
	if len(b.opts.Labels) > 0 {
		labels := map[string]string{}
		for k, v := range cfg.Config.Labels {
			labels[k] = v
		}
		for k, v := range b.opts.Labels {
			labels[k] = v
		}
		cfg.Config.Labels = labels
	}
	cfg.RootFS = v1.RootFS{Type: "layers", DiffIDs: append([]digest.Digest{}, state.stack.DiffIDs...)}
	if cfg.RootFS.DiffIDs == nil {
		cfg.RootFS.DiffIDs = []digest.Digest{}
	}
	created := state.created
	cfg.Created = &created
	cfg.Architecture, cfg.OS = goArch(), "linux"
	data, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	p := newPending()
	p.config = data
	p.layers = state.stack.Layers
	p.layerSizes = state.stack.Sizes
	p.refs = refs
	p.parent = state.parent
	unlock, err := b.s.lock()
	if err != nil {
		return "", err
	}
	err = b.s.ensureStack(state.stack)
	unlock()
	if err != nil {
		return "", err
	}
	return b.s.commit(p)
}

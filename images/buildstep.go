package images

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// The steps of a stage: dispatch of each instruction, RUN through the
// Runner, and how a step's layer is added or taken from the cache.

// history appends a history entry; layer steps set the stage's time.
func (state *stageState) history(createdBy string, empty bool, at time.Time) {
	if !empty {
		state.created = at
	}
	created := state.created
	state.cfg.History = append(state.cfg.History, v1.History{Created: &created, CreatedBy: createdBy, EmptyLayer: empty})
}

func (b *builder) dispatch(state *stageState, n *parser.Node) error {
	state.cs.extraEnv = envList(state.args)
	switch instruction(n) {
	case "arg":
		return b.arg(state, n)
	case "run":
		return b.run(state, n)
	case "copy", "add":
		return b.copy(state, n)
	case "workdir":
		if err := state.cs.apply(n); err != nil {
			return err
		}
		added, err := b.mkdirWorkdir(state, n.Original)
		if err != nil || added {
			return err
		}
	case "maintainer":
		state.cfg.Author = strings.Join(args(n), " ")
	case "from":
		return fmt.Errorf("FROM inside a stage")
	default:
		if err := state.cs.apply(n); err != nil {
			return err
		}
	}
	state.key = cacheKey(append([]string{state.key, n.Original}, envList(state.args)...)...)
	state.history(n.Original, true, state.created)
	return nil
}

func (b *builder) arg(state *stageState, n *parser.Node) error {
	for _, kv := range args(n) {
		name, def, hasDef := strings.Cut(kv, "=")
		if v, ok := b.opts.BuildArgs[name]; ok {
			state.args[name] = v
			b.usedArgs[name] = true
			continue
		}
		if v, ok := b.global[name]; ok && !hasDef {
			state.args[name] = v
			continue
		}
		if hasDef {
			v, err := state.cs.expand(def)
			if err != nil {
				return err
			}
			state.args[name] = v
		}
	}
	state.key = cacheKey(append([]string{state.key, n.Original}, envList(state.args)...)...)
	return nil
}

// runEnv is the environment of a RUN step: the config's, plus build
// arguments the config does not set.
func (state *stageState) runEnv() []string {
	env := append([]string{}, state.cfg.Config.Env...)
	set := envGetter(env)
	for _, kv := range envList(state.args) {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set.Get(k); !ok {
			env = append(env, kv)
		}
	}
	return env
}

// runArgs is the argv of a RUN, with heredocs folded into the script.
func (state *stageState) runArgs(n *parser.Node) []string {
	if len(n.Heredocs) == 0 || isJSONNode(n) {
		return state.cs.command(n)
	}
	sh := state.cfg.Config.Shell
	if len(sh) == 0 {
		sh = defaultShell
	}
	cmdline := strings.TrimSpace(strings.Join(args(n), " "))
	first := n.Heredocs[0]
	if strings.Trim(strings.TrimPrefix(strings.TrimPrefix(cmdline, "<<"), "-"), `"'`) == first.Name {
		return append(append([]string{}, sh...), first.Content)
	}
	script := cmdline + "\n"
	for _, h := range n.Heredocs {
		script += h.Content + h.Name + "\n"
	}
	return append(append([]string{}, sh...), script)
}

func (b *builder) run(state *stageState, n *parser.Node) (err error) {
	for _, f := range n.Flags {
		return fmt.Errorf("RUN option %s is not supported", f)
	}
	argv := state.runArgs(n)
	env := state.runEnv()
	key := cacheKey(state.key, "run", strings.Join(argv, "\x00"), strings.Join(env, "\x00"), state.cfg.Config.User, state.cfg.Config.WorkingDir)
	if b.cached(state, key, n.Original) {
		return nil
	}
	if b.opts.Runner == nil {
		return fmt.Errorf("no runner: this build cannot run commands")
	}
	stepID := b.s.buildStepID()
	mounts, err := b.s.createStepRootfs(stepID, state.stack)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := b.s.RemoveRootfs(stepID); rerr != nil && err == nil {
			err = fmt.Errorf("remove the rootfs of step %s: %w", stepID, rerr)
		}
	}()
	err = b.opts.Runner.Run(b.ctx, RunStep{
		ID: stepID, Mounts: mounts, Args: argv, Env: env,
		WorkingDir: state.cfg.Config.WorkingDir, User: state.cfg.Config.User,
		Stdout: b.out, Stderr: b.out, Network: b.opts.Network,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	diff := func(w io.Writer) error {
		cdir := b.s.containerDir(stepID)
		if b.s.driver == DriverOverlay2 {
			return writeOverlayDiff(w, filepath.Join(cdir, "diff"))
		}
		old, cleanup, err := b.parentTree(state)
		if err != nil {
			return err
		}
		defer cleanup()
		return writeTreeDiff(w, old, filepath.Join(cdir, "rootfs"))
	}
	return b.addLayer(state, key, n.Original, diff)
}

// parentTree is the full tree of the state's top layer (vfs).
func (b *builder) parentTree(state *stageState) (string, func(), error) {
	if n := len(state.stack.Chains); n > 0 {
		return b.s.diffDir(state.stack.Chains[n-1]), func() {}, nil
	}
	dir, err := b.s.mkdirTemp("empty")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil // an empty directory under tmp/
}

// cached reuses a cached step; it reports whether it did.
func (b *builder) cached(state *stageState, key, createdBy string) bool {
	if b.opts.NoCache {
		return false
	}
	stack, ok := b.s.cacheLookup(key)
	if !ok {
		return false
	}
	var rec cacheRecord
	if err := readJSON(b.s.cachePath(key), &rec); err != nil {
		return false
	}
	state.stack = *stack
	state.key = key
	state.history(createdBy, false, rec.Created)
	fmt.Fprintf(b.out, "--> CACHED\n")
	b.stepCached = true
	return true
}

// addLayer stages the layer that write produces on top of the state,
// commits it with its cache record, and records history.
func (b *builder) addLayer(state *stageState, key, createdBy string, write func(io.Writer) error) error {
	p := newPending()
	defer p.discard()
	p.chains = append([]digest.Digest{}, state.stack.Chains...)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	err := b.s.stageLayer(p, pr, "", "")
	pr.CloseWithError(err)
	if err != nil {
		return err
	}
	next := state.stack.clone()
	next.Layers = append(next.Layers, p.layers...)
	next.DiffIDs = append(next.DiffIDs, p.diffIDs...)
	next.Chains = append(next.Chains, p.chains[len(p.chains)-1])
	next.Sizes = append(next.Sizes, p.layerSizes...)
	if err := b.s.commitStep(p, key, next); err != nil {
		return err
	}
	state.stack = next
	state.key = key
	now := time.Now().UTC()
	if rec := (cacheRecord{}); readJSON(b.s.cachePath(key), &rec) == nil {
		now = rec.Created
	}
	state.history(createdBy, false, now)
	fmt.Fprintf(b.out, "--> %s\n", p.diffIDs[0].Encoded()[:12])
	return nil
}

// mkdirWorkdir adds a layer creating the working directory when the image
// lacks it, so that RUN can start there; it reports whether it did.
func (b *builder) mkdirWorkdir(state *stageState, createdBy string) (bool, error) {
	dir := state.cfg.Config.WorkingDir
	if dir == "" || dir == "/" {
		return false, nil
	}
	if _, fi, err := b.s.statInChain(state.stack.Chains, dir); err == nil && fi.IsDir() {
		return false, nil
	}
	spec := &copySpec{dest: dir}
	parents, err := b.parents(state, path.Join(dir, "x"), nil)
	if err != nil {
		return false, err
	}
	spec.parents = parents
	return true, b.copyLayer(state, "mkdir", createdBy, spec, func(c *copyWriter) error { return nil })
}

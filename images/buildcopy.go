package images

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
)

// COPY and ADD: sources from the build context (or an earlier stage or
// image with --from), heredocs, and for ADD local tar archives (extracted)
// and URLs (downloaded).

// addURLTimeout bounds an ADD download.
const addURLTimeout = 5 * time.Minute

func (b *builder) copy(state *stageState, n *parser.Node) error {
	isAdd := instruction(n) == "add"
	var from, chown, chmod string
	for _, f := range n.Flags {
		name, val, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		switch name {
		case "from":
			from = val
		case "chown":
			chown = val
		case "chmod":
			chmod = val
		case "link":
		default:
			return fmt.Errorf("option --%s is not supported", name)
		}
	}
	a := args(n)
	if len(a) < 2 {
		return fmt.Errorf("requires at least one source and a destination")
	}
	dest, err := state.cs.expand(a[len(a)-1])
	if err != nil {
		return err
	}
	destIsDir := strings.HasSuffix(dest, "/") || dest == "." || len(a) > 2
	if !path.IsAbs(dest) {
		dest = path.Join("/", state.cfg.Config.WorkingDir, dest)
	}
	dest, err = b.s.resolveInChain(state.stack.Chains, path.Clean(dest))
	if err != nil {
		return err
	}
	if _, fi, err := b.s.statInChain(state.stack.Chains, dest); err == nil && fi.IsDir() {
		destIsDir = true
	}
	spec := &copySpec{dest: dest, destIsDir: destIsDir, extract: isAdd}
	if chown != "" {
		if spec.uid, spec.gid, err = b.s.lookupOwner(state.stack.Chains, chown); err != nil {
			return err
		}
		spec.chown = true
	}
	if chmod != "" {
		m, err := strconv.ParseUint(chmod, 8, 32)
		if err != nil || m > 0o7777 {
			return fmt.Errorf("invalid --chmod %q", chmod)
		}
		spec.chmod = int64(m)
	}
	var root *sourceRoot
	var writers []func(c *copyWriter) error
	for _, raw := range a[:len(a)-1] {
		if h := heredocNamed(n, raw); h != nil {
			content := h.Content
			if h.Expand {
				if content, err = state.cs.expand(content); err != nil {
					return err
				}
			}
			target := dest
			if destIsDir {
				target = path.Join(dest, h.Name)
			}
			writers = append(writers, func(c *copyWriter) error { return c.content(target, []byte(content), 0o644) })
			continue
		}
		src, err := state.cs.expand(raw)
		if err != nil {
			return err
		}
		if isURL(src) {
			if !isAdd {
				return fmt.Errorf("COPY cannot fetch a URL (%s): use ADD", src)
			}
			file, err := b.download(src)
			if err != nil {
				return err
			}
			target := dest
			if destIsDir {
				target = path.Join(dest, urlBase(src))
			}
			writers = append(writers, func(c *copyWriter) error { return c.file(file, target) })
			continue
		}
		if root == nil {
			if root, err = b.sourceFrom(state, from); err != nil {
				return err
			}
		}
		sources, err := root.resolve(src)
		if err != nil {
			return err
		}
		if len(sources) > 1 && !destIsDir {
			return fmt.Errorf("%s matches several files: the destination must be a directory (end it with /)", src)
		}
		for _, s := range sources {
			s := s
			switch {
			// A directory's contents, or an archive's, go into dest.
			case s.fi.IsDir():
				destIsDir = true
				writers = append(writers, func(c *copyWriter) error { return c.tree(root, s, dest) })
			case isAdd && from == "" && isTarArchive(s.host):
				destIsDir = true
				writers = append(writers, func(c *copyWriter) error { return c.archive(s.host, dest) })
			default:
				target := dest
				if destIsDir {
					target = path.Join(dest, path.Base(s.rel))
				}
				writers = append(writers, func(c *copyWriter) error { return c.file(s.host, target) })
			}
		}
	}
	// The directories above what is written, dest itself when it is one.
	spec.destIsDir = destIsDir
	leaf := dest
	if destIsDir {
		leaf = path.Join(dest, "x")
	}
	if spec.parents, err = b.parents(state, leaf, spec); err != nil {
		return err
	}
	return b.copyLayer(state, strings.Join(n.Flags, " "), n.Original, spec, func(c *copyWriter) error {
		for _, w := range writers {
			if err := w(c); err != nil {
				return err
			}
		}
		return nil
	})
}

func heredocNamed(n *parser.Node, arg string) *parser.Heredoc {
	name, ok := strings.CutPrefix(arg, "<<")
	if !ok {
		return nil
	}
	name = strings.Trim(strings.TrimPrefix(name, "-"), `"'`)
	for i := range n.Heredocs {
		if n.Heredocs[i].Name == name {
			return &n.Heredocs[i]
		}
	}
	return nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func urlBase(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "download"
	}
	if b := path.Base(u.Path); b != "/" && b != "." && b != "" {
		return b
	}
	return "download"
}

// download fetches an ADD URL into tmp/; it is removed when the build ends.
func (b *builder) download(src string) (string, error) {
	ctx, cancel := context.WithTimeout(b.ctx, addURLTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return "", fmt.Errorf("ADD %s: %w", src, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("ADD %s: download failed (is the network reachable from here?): %w", src, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("ADD %s: download failed: %s", src, resp.Status)
	}
	f, err := b.s.createTemp("add")
	if err != nil {
		return "", err
	}
	b.cleanups = append(b.cleanups, func() { _ = os.Remove(f.Name()) }) // scratch space under tmp/
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("ADD %s: download failed: %w", src, err)
	}
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		return "", err
	}
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		_ = os.Chtimes(f.Name(), lm, lm) // the time is a nicety; the download is complete
	}
	return f.Name(), nil
}

// sourceFrom is where sources come from: the context, or --from a stage
// (by name or index) or an image.
func (b *builder) sourceFrom(state *stageState, from string) (*sourceRoot, error) {
	if from == "" {
		if b.context == nil {
			return nil, ErrNoContext
		}
		return b.context, nil
	}
	var stack layerStack
	what := "stage " + from
	if j := b.stageIndex(from); j >= 0 && b.built[j] != nil && b.built[j] != state {
		stack = b.built[j].stack
	} else {
		img, err := b.image(from)
		if err != nil {
			return nil, fmt.Errorf("--from=%s: no such stage or image: %w", from, err)
		}
		st := &stageState{}
		if err := b.fromImage(st, img); err != nil {
			return nil, err
		}
		stack = st.stack
		what = "image " + from
	}
	key := strings.Join(digestStrings(stack.Chains), ",")
	if dir, ok := b.merged[key]; ok {
		return &sourceRoot{dir: dir, what: what}, nil
	}
	unlock, err := b.s.lock()
	if err != nil {
		return nil, err
	}
	err = b.s.ensureStack(stack)
	unlock()
	if err != nil {
		return nil, err
	}
	dir, cleanup, err := b.s.materialize(stack.Chains)
	if err != nil {
		return nil, err
	}
	b.cleanups = append(b.cleanups, cleanup)
	b.merged[key] = dir
	return &sourceRoot{dir: dir, what: what}, nil
}

func digestStrings(ds []digest.Digest) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

// parents lists the directories above leaf with the metadata they have in
// the image; missing ones are created 0755, owned by root, except the
// destination directory itself, which --chown owns.
func (b *builder) parents(state *stageState, leaf string, spec *copySpec) ([]parentDir, error) {
	var out []parentDir
	rel := entryPath(leaf)
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		name := strings.Join(parts[:i], "/")
		pd := parentDir{name: name, mode: 0o755, mtime: time.Now().UTC()}
		if host, fi, err := b.s.statInChain(state.stack.Chains, name); err == nil {
			if !fi.IsDir() {
				return nil, fmt.Errorf("/%s is not a directory in the image", name)
			}
			pd.mode = int64(fi.Mode().Perm()) | int64(modeSpecial(fi.Mode()))
			pd.uid, pd.gid, pd.mtime = ownerOf(host)
		} else if spec != nil && spec.destIsDir && "/"+name == spec.dest {
			pd.uid, pd.gid = spec.uid, spec.gid
		}
		out = append(out, pd)
	}
	return out, nil
}

// copyLayer writes a COPY/ADD layer to tmp/ while hashing its inputs, then
// reuses the cached layer for those inputs or adds the new one.
func (b *builder) copyLayer(state *stageState, keyPart, createdBy string, spec *copySpec, write func(c *copyWriter) error) error {
	f, err := b.s.createTemp("copy")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	defer func() { _ = f.Close() }()
	bw := bufio.NewWriterSize(f, 256<<10)
	c := newCopyWriter(bw, spec)
	if err := c.parents(); err != nil {
		return err
	}
	if err := write(c); err != nil {
		return err
	}
	if err := c.close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	key := cacheKey(state.key, createdBy, keyPart, c.inputs())
	if b.cached(state, key, createdBy) {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return b.addLayer(state, key, createdBy, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

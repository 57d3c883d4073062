package api

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"

	"berth/images"
)

// dockerfileEntry is where a Dockerfile given apart from the context
// (`build -f -`, or a file outside the context directory) goes in the
// context sent, as the docker CLI adds it.
const dockerfileEntry = ".berth-dockerfile"

// Build sends the build context as a tar to the far side, which builds
// there (its RUN steps, its base images); the build log is copied to
// opts.Output, and opts.Progress is fed from its text (logTextSteps).
func (r remoteImages) Build(ctx context.Context, opts images.BuildOptions) (*images.Image, error) {
	req := client.ImageBuildOptions{
		Tags: opts.Tags, NoCache: opts.NoCache, PullParent: opts.PullAlways, Target: opts.Target,
		Labels: opts.Labels, NetworkMode: opts.Network, Remove: true, Dockerfile: opts.Dockerfile,
		BuildArgs: map[string]*string{},
	}
	for k, v := range opts.BuildArgs {
		req.BuildArgs[k] = &v
	}
	switch {
	case opts.ContextArchive != nil && opts.DockerfileText != nil:
		return nil, r.c.notImplemented("build of a context archive with a Dockerfile apart from it")
	case opts.ContextArchive != nil:
		req.Context = opts.ContextArchive
	default:
		dockerfile, err := r.dockerfileApart(opts)
		if err != nil {
			return nil, err
		}
		if dockerfile != nil {
			req.Dockerfile = dockerfileEntry
		} else if opts.Dockerfile != "" {
			rel, err := filepath.Rel(opts.ContextDir, opts.Dockerfile)
			if err != nil {
				return nil, fmt.Errorf("build: %w", err)
			}
			req.Dockerfile = filepath.ToSlash(rel)
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(tarContext(pw, opts.ContextDir, dockerfile)) }()
		defer func() { _ = pr.Close() }()
		req.Context = pr
	}
	res, err := r.c.api.ImageBuild(ctx, req.Context, req)
	if err != nil {
		return nil, r.c.fail("build", "", err)
	}
	defer func() { _ = res.Body.Close() }()
	out, steps := opts.Output, (*logTextSteps)(nil)
	if opts.Progress != nil {
		steps = newLogTextSteps(opts.Output, opts.Progress)
		out = steps
	}
	id, err := readBuildLog(res.Body, out)
	if err != nil {
		return nil, fmt.Errorf("build on %s: %w", r.c.endpoint, err)
	}
	if steps != nil {
		steps.finish()
	}
	return r.Lookup(id)
}

// dockerfileApart is the Dockerfile's text when it is not a file inside
// the context directory: given as text, or a path outside the context.
func (r remoteImages) dockerfileApart(opts images.BuildOptions) ([]byte, error) {
	if opts.DockerfileText != nil {
		return opts.DockerfileText, nil
	}
	if opts.Dockerfile == "" || opts.ContextDir == "" {
		return nil, nil
	}
	rel, err := filepath.Rel(opts.ContextDir, opts.Dockerfile)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return nil, nil
	}
	data, err := os.ReadFile(opts.Dockerfile)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	return data, nil
}

// tarContext writes dir (none when "") as a tar stream, plus the
// Dockerfile text as dockerfileEntry when it is not nil. Regular files,
// directories and symlinks are sent; other files (sockets, devices) are
// left out, as no Dockerfile instruction can copy them.
func tarContext(w io.Writer, dir string, dockerfile []byte) error {
	tw := tar.NewWriter(w)
	if dir != "" {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil || rel == "." {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			var link string
			switch {
			case info.Mode().IsRegular(), info.IsDir():
			case info.Mode()&fs.ModeSymlink != 0:
				if link, err = os.Readlink(p); err != nil {
					return err
				}
			default:
				return nil
			}
			hdr, err := tar.FileInfoHeader(info, link)
			if err != nil {
				return err
			}
			hdr.Name = filepath.ToSlash(rel)
			if info.IsDir() {
				hdr.Name += "/"
			}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if !info.Mode().IsRegular() {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }()
			_, err = io.Copy(tw, f)
			return err
		})
		if err != nil {
			return fmt.Errorf("send build context %s: %w", dir, err)
		}
	}
	if dockerfile != nil {
		if err := tw.WriteHeader(&tar.Header{Name: dockerfileEntry, Mode: 0o600, Size: int64(len(dockerfile)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(dockerfile); err != nil {
			return err
		}
	}
	return tw.Close()
}

// readBuildLog copies a build's JSON stream to out and returns the built
// image's ID (the "aux" record, else "Successfully built ID").
func readBuildLog(rd io.Reader, out io.Writer) (string, error) {
	if out == nil {
		out = io.Discard
	}
	dec := json.NewDecoder(rd)
	var id string
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", err
		}
		if m.Error != nil {
			return "", errors.New(m.Error.Message)
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		if m.Stream != "" {
			if _, err := io.WriteString(out, m.Stream); err != nil {
				return "", err
			}
			if rest, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), "Successfully built "); ok && id == "" {
				id = rest
			}
		}
	}
	if id == "" {
		return "", errors.New("the build ended without an image")
	}
	return id, nil
}

package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"runtime"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"

	"berth/images"
)

// build is POST /build: the body is the context as a tar (plain or
// compressed), which the image store unpacks inside a directory of its own
// (every entry resolved within it). The answer is the build log as
// {"stream": …} messages, the image ID as {"aux": {"ID": …}}, and a
// failure as docker's error message with a failed RUN's exit code.
func (s *Server) build(w http.ResponseWriter, r *http.Request) error {
	opts, quiet, err := buildOptions(r)
	if err != nil {
		return err
	}
	regOpts, err := buildRegistry(r, s.registry)
	if err != nil {
		return err
	}
	store := s.host.Images()
	out := newJSONStream(w)
	quietOut := &quietLog{}
	if quiet {
		opts.Output = quietOut
	} else {
		opts.Output = streamWriter{out}
	}
	if err := buildInput(r, &opts); err != nil {
		return err
	}
	opts.Runner = s.host.BuildRunner()
	opts.Pull = func(ctx context.Context, ref string) (*images.Image, error) {
		if !quiet {
			out.send(streamText("Pulling " + ref + "\n"))
		}
		return store.Pull(ctx, ref, images.PullOptions{Registry: regOpts, Progress: func(p images.Progress) {
			if !quiet {
				out.progress(p)
			}
		}})
	}
	img, err := store.Build(r.Context(), opts)
	if err != nil {
		if text := quietOut.String(); text != "" {
			out.send(streamText(text))
		}
		return out.finish(buildError(err))
	}
	id := "sha256:" + img.ID
	aux, err := json.Marshal(build.Result{ID: id})
	if err != nil {
		return out.finish(err)
	}
	raw := json.RawMessage(aux)
	out.send(jsonstream.Message{Aux: &raw})
	if quiet {
		out.send(streamText(id + "\n"))
	}
	return out.finish(nil)
}

// buildInput is the request body as the build's context: a tar, plain or
// compressed, as dockerd takes it (the store says what else is wrong).
func buildInput(r *http.Request, opts *images.BuildOptions) error {
	body := bufio.NewReader(r.Body)
	if _, err := body.Peek(1); errors.Is(err, io.EOF) {
		return invalidf("the request body is empty: send the build context as a tar")
	} else if err != nil {
		return fmt.Errorf("read build context: %w", err)
	}
	opts.ContextArchive = body
	return nil
}

// buildError gives a build's errors that are the context's fault (an
// unsafe entry, a missing Dockerfile or source) a bad request's status,
// for when they come before the log started.
func buildError(err error) error {
	if errors.Is(err, images.ErrUnsafeEntry) || errors.Is(err, images.ErrNoContext) || errors.Is(err, fs.ErrNotExist) {
		return kindError{err, errInvalidArgument}
	}
	return err
}

// buildOptions reads POST /build's parameters: dockerfile (a path in the
// context), t (several), buildargs and labels (JSON), target, nocache,
// pull, q, networkmode, platform. rm and forcerm change nothing: berth
// never keeps a build's containers.
func buildOptions(r *http.Request) (opts images.BuildOptions, quiet bool, err error) {
	q := r.URL.Query()
	if v := q.Get("version"); v != "" && v != string(build.BuilderV1) {
		return opts, false, invalidf("builder version %s (BuildKit) is not supported: berth builds as docker's classic builder (version 1)", v)
	}
	if remote := q.Get("remote"); remote != "" {
		return opts, false, invalidf("remote %q: berth builds from the context in the request body only", remote)
	}
	if platform := q.Get("platform"); platform != "" && platform != "linux/"+runtime.GOARCH {
		return opts, false, invalidf("platform %s: berth builds for this machine's platform only (linux/%s)", platform, runtime.GOARCH)
	}
	switch mode := q.Get("networkmode"); mode {
	case "", "default", "host", "none":
		opts.Network = mode
	default:
		return opts, false, invalidf("networkmode %q: berth builds on the host's network or none", mode)
	}
	for _, t := range q["t"] {
		if _, err := images.ParseReference(t); err != nil {
			return opts, false, kindError{err, errInvalidArgument}
		}
	}
	opts.Tags = q["t"]
	opts.Dockerfile = q.Get("dockerfile")
	opts.Target = q.Get("target")
	opts.NoCache = queryBool(r, "nocache")
	opts.PullAlways = queryBool(r, "pull")
	opts.BuildArgs = map[string]string{}
	if raw := q.Get("buildargs"); raw != "" {
		var args map[string]*string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			return opts, false, invalidf("invalid buildargs %q: %v", raw, err)
		}
		for k, v := range args {
			if v != nil { // a name without a value: the client had none to give
				opts.BuildArgs[k] = *v
			}
		}
	}
	if raw := q.Get("labels"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &opts.Labels); err != nil {
			return opts, false, invalidf("invalid labels %q: %v", raw, err)
		}
	}
	return opts, queryBool(r, "q"), nil
}

// pruneBuildCache is POST /build/prune: berth's build cache is its cached
// steps, all removed (the filters, all and keep-storage of BuildKit's
// cache do not apply).
func (s *Server) pruneBuildCache(w http.ResponseWriter, _ *http.Request) error {
	reclaimed, err := s.host.Images().PruneBuildCache()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, build.CachePruneReport{CachesDeleted: []string{}, SpaceReclaimed: uint64(max(reclaimed, 0))})
}

package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"berth/engine"
	"berth/host/runopts"
	"berth/images"
)

type buildFlags struct {
	tags, buildArgs, labels []string
	file, target            string
	noCache, quiet, pull    bool
	platform, progress      string
	// Docker's flags berth takes as they are (see buildCompatFlags).
	compat buildCompatFlags
}

func (a *app) buildCommand() *cobra.Command {
	var f buildFlags
	cmd := newCommand("build [OPTIONS] PATH | -", "Build an image from a Dockerfile", exactArgs(1), nil)
	cmd.Long = "Build an image from a Dockerfile in PATH (the build context). With -, STDIN\n" +
		"is a context archive (tar, plain or compressed: tar -c . | berth build -) or a\n" +
		"Dockerfile without context; -f - reads the Dockerfile from STDIN. The whole\n" +
		"Dockerfile is checked before the first step. Unchanged steps reuse the build\n" +
		"cache (CACHED); --no-cache bypasses it. Base images missing from the store are\n" +
		"pulled (--pull: always). RUN steps run in containers of their own on the host's\n" +
		"network (--network none: loopback only); berth never keeps them (--rm)."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts, err := f.options(args[0], a.stdin, a.sys.lookupEnv)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		if err := f.compat.apply(&opts); err != nil {
			return err
		}
		opts.PullAlways = f.pull
		store, err := a.images()
		if err != nil {
			return err
		}
		out := a.stdout
		var quietLog bytes.Buffer // -q: the log, shown only if the build fails, as docker's
		if f.quiet {
			out = &quietLog
		}
		opts.Output = out
		opts.Runner = a.eng.BuildRunner()
		opts.Pull = func(ctx context.Context, ref string) (*images.Image, error) {
			fmt.Fprintf(out, "Pulling %s\n", ref)
			return store.Pull(ctx, ref, images.PullOptions{
				Registry: a.registryOptions(a.cfg.MaxConcurrentDownloads),
				Progress: newProgressPrinter(out, !f.quiet && a.sys.isTerminal(a.stdout)).update,
			})
		}
		img, err := store.Build(cmd.Context(), opts)
		if err != nil {
			if f.quiet {
				_, _ = a.stderr.Write(quietLog.Bytes()) // the error below says what failed either way
			}
			// docker build's codes (its classic builder, 20.10's
			// default): a RUN command's own non-zero code, else 1 (a
			// command that cannot be started included).
			code := exitFailure
			var step *engine.StepExitError
			if errors.As(err, &step) {
				code = step.Code
			}
			return &statusError{err: err, code: code}
		}
		if err := f.compat.writeIIDFile(img.ID); err != nil {
			return err
		}
		if f.quiet {
			_, err := fmt.Fprintln(a.stdout, "sha256:"+img.ID)
			return err
		}
		return nil // the build log ends with "Successfully built …"
	}
	flags := cmd.Flags()
	flags.StringArrayVarP(&f.tags, "tag", "t", nil, "name and optionally a tag in the name:tag format")
	flags.StringVarP(&f.file, "file", "f", "", "name of the Dockerfile (default: PATH/Dockerfile; - reads it from STDIN)")
	flags.StringArrayVar(&f.buildArgs, "build-arg", nil, "set build-time variables (KEY=VALUE, or KEY to pass berth's own value)")
	flags.StringVar(&f.target, "target", "", "set the target build stage to build")
	flags.BoolVar(&f.noCache, "no-cache", false, "do not use cache when building the image")
	flags.StringArrayVar(&f.labels, "label", nil, "set metadata for an image")
	flags.BoolVarP(&f.quiet, "quiet", "q", false, "suppress the build output and print image ID on success")
	flags.BoolVar(&f.pull, "pull", false, "always attempt to pull a newer version of the base images (missing ones are always pulled)")
	flags.StringVar(&f.platform, "platform", "", "set platform (only this machine's)")
	flags.StringVar(&f.progress, "progress", "", "accepted for docker compatibility: berth prints plain steps")
	f.compat.register(flags)
	return cmd
}

// options turns the flags and PATH into BuildOptions (without Output and
// Pull). stdin is read when PATH or -f is "-".
func (f *buildFlags) options(path string, stdin io.Reader, lookupEnv func(string) (string, bool)) (images.BuildOptions, error) {
	var opts images.BuildOptions
	if f.platform != "" && f.platform != "linux/"+runtime.GOARCH {
		return opts, fmt.Errorf("--platform %s: berth builds for this machine's platform only (linux/%s)", f.platform, runtime.GOARCH)
	}
	for _, t := range f.tags {
		if _, err := images.ParseReference(t); err != nil {
			return opts, fmt.Errorf("invalid argument %q for \"-t, --tag\" flag: %w", t, err)
		}
	}
	readStdin := func() ([]byte, error) {
		data, err := io.ReadAll(stdin)
		if err == nil && len(data) == 0 {
			err = errors.New("the Dockerfile from STDIN is empty")
		}
		return data, err
	}
	var err error
	switch {
	case path == "-":
		if f.file == "-" {
			return opts, errors.New("invalid argument: can't use stdin for both build context and dockerfile")
		}
		in := bufio.NewReaderSize(stdin, images.ArchiveHeaderSize)
		head, err := in.Peek(images.ArchiveHeaderSize)
		if err != nil && !errors.Is(err, io.EOF) {
			return opts, fmt.Errorf("failed to peek context header from STDIN: %w", err)
		}
		if images.IsArchive(head) {
			// A context as a tar: -f names its Dockerfile inside it.
			opts.ContextArchive = in
			opts.Dockerfile = f.file
			break
		}
		if f.file != "" {
			return opts, errors.New("-f cannot name a file when STDIN is a Dockerfile, not a context archive")
		}
		stdin = in
		if opts.DockerfileText, err = readStdin(); err != nil {
			return opts, err
		}
	case f.file == "-":
		opts.ContextDir = path
		if opts.DockerfileText, err = readStdin(); err != nil {
			return opts, err
		}
	default:
		opts.ContextDir = path
		if f.file != "" {
			if opts.Dockerfile, err = filepath.Abs(f.file); err != nil {
				return opts, err
			}
		}
	}
	opts.Tags = f.tags
	opts.Target = f.target
	opts.NoCache = f.noCache
	opts.BuildArgs = map[string]string{}
	for _, kv := range f.buildArgs {
		k, v, hasValue := strings.Cut(kv, "=")
		if k == "" {
			return opts, fmt.Errorf("invalid --build-arg %q: empty name", kv)
		}
		if !hasValue {
			val, ok := lookupEnv(k)
			if !ok {
				continue
			}
			v = val
		}
		opts.BuildArgs[k] = v
	}
	if opts.Labels, err = runopts.ParseLabels(f.labels); err != nil {
		return opts, err
	}
	return opts, nil
}

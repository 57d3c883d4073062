package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"berth/engine"
	"berth/engine/archive"
	"berth/host"
)

// files is the engine as host.Files.
func (a *app) files() (host.Files, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	f, ok := eng.(host.Files)
	if !ok {
		return nil, fmt.Errorf("this engine cannot reach container files: %w", engine.ErrNotImplemented)
	}
	return f, nil
}

type cpFlags struct {
	follow, archive, quiet bool
}

func (a *app) cpCommand() *cobra.Command {
	var f cpFlags
	cmd := newCommand("cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n  berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
		"Copy files/folders between a container and the local filesystem", exactArgs(2), nil)
	cmd.Long = "Copy files/folders between a container and the local filesystem, running or\n" +
		"stopped, with docker's path rules. '-' as the source reads a tar archive from\n" +
		"stdin and extracts it to a directory in the container; '-' as the destination\n" +
		"streams a tar archive of the container path to stdout."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if args[0] == "" {
			return errors.New("source can not be empty")
		}
		if args[1] == "" {
			return errors.New("destination can not be empty")
		}
		if !changed(cmd.Flags(), "quiet") {
			f.quiet = !a.sys.isTerminal(a.stdout)
		}
		files, err := a.files()
		if err != nil {
			return err
		}
		srcC, src := splitCpArg(args[0])
		dstC, dst := splitCpArg(args[1])
		switch {
		case srcC != "" && dstC != "":
			return errors.New("copying between containers is not supported")
		case srcC != "":
			return a.copyFromContainer(cmd.Context(), files, f, srcC, src, dst)
		case dstC != "":
			return a.copyToContainer(cmd.Context(), files, f, src, dstC, dst)
		}
		return errors.New("must specify at least one container source")
	}
	flags := cmd.Flags()
	flags.BoolVarP(&f.follow, "follow-link", "L", false, "always follow symlinks in SRC_PATH")
	flags.BoolVarP(&f.archive, "archive", "a", false, "archive mode (copy all uid/gid information)")
	flags.BoolVarP(&f.quiet, "quiet", "q", false, "suppress progress output during copy (automatic when stdout is not a terminal)")
	return cmd
}

// splitCpArg splits CONTAINER:PATH; an absolute path, a path without a
// colon, or one starting with "." (./file:name) is local.
func splitCpArg(arg string) (container, p string) {
	if filepath.IsAbs(arg) {
		return "", arg
	}
	c, p, ok := strings.Cut(arg, ":")
	if !ok || strings.HasPrefix(c, ".") {
		return "", arg
	}
	return c, p
}

// Errors of docker's cp rules.
var (
	errCannotCopyDir = errors.New("cannot copy directory")
	errDirNotExists  = errors.New("no such directory")
)

// cpTarget is where a copy lands: the stream's top entry is named name
// and extracted into dir.
type cpTarget struct {
	dir, name string
}

// planCopy applies docker's cp rules (moby's PrepareArchiveCopy). src is
// the source path as given (a trailing "/." copies a directory's
// content), srcIsDir what it is; dst the destination as given, with
// whether it exists and is a directory.
func planCopy(src string, srcIsDir bool, dst string, dstExists, dstIsDir bool) (cpTarget, error) {
	srcName := path.Base(filepath.ToSlash(filepath.Clean(src)))
	if srcIsDir && (strings.HasSuffix(src, "/.") || src == ".") {
		srcName = "."
	}
	clean := filepath.Clean(dst)
	dstDir, dstBase := filepath.Dir(clean), filepath.Base(clean)
	switch {
	case dstExists && dstIsDir:
		return cpTarget{dir: dst, name: srcName}, nil
	case dstExists && srcIsDir:
		return cpTarget{}, errCannotCopyDir
	case dstExists, srcIsDir:
		return cpTarget{dir: dstDir, name: dstBase}, nil
	case strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, "/."):
		return cpTarget{}, errDirNotExists
	}
	return cpTarget{dir: dstDir, name: dstBase}, nil
}

func (a *app) copyFromContainer(ctx context.Context, files host.Files, f cpFlags, ref, src, dst string) error {
	st, err := files.StatPath(ctx, ref, src, f.follow)
	if err != nil {
		return err
	}
	opts := archive.WriteOptions{Follow: f.follow}
	if dst == "-" {
		return files.ArchivePath(ctx, ref, src, opts, a.stdout)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	if strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, "/.") {
		abs += "/"
	}
	fi, err := os.Stat(abs)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !exists {
		if _, err := os.Stat(filepath.Dir(filepath.Clean(abs))); err != nil {
			return err
		}
	}
	target, err := planCopy(src, st.Mode.IsDir(), abs, exists, exists && fi.IsDir())
	if err != nil {
		return err
	}
	opts.Name = target.name
	root, err := archive.OpenRoot(target.dir)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	var xopts archive.ExtractOptions
	if !f.archive {
		xopts.Owner = &archive.Owner{UID: os.Geteuid(), GID: os.Getegid()}
	}
	pr, pw := io.Pipe()
	counted := &countingReader{r: pr}
	done := make(chan error, 1)
	go func() { done <- archive.Extract(root, "/", counted, xopts) }()
	err = files.ArchivePath(ctx, ref, src, opts, pw)
	pw.CloseWithError(err)
	xerr := <-done
	pr.CloseWithError(xerr)
	if err != nil {
		return err
	}
	if xerr != nil {
		return fmt.Errorf("copy to %s: %w", dst, xerr)
	}
	if !f.quiet {
		size := counted.n
		if !st.Mode.IsDir() {
			size = st.Size
		}
		fmt.Fprintf(a.stderr, "Successfully copied %s to %s\n", units.HumanSizeWithPrecision(float64(size), 3), abs)
	}
	return nil
}

func (a *app) copyToContainer(ctx context.Context, files host.Files, f cpFlags, src, ref, dst string) error {
	dstSt, statErr := files.StatPath(ctx, ref, dst, true)
	if statErr == nil && !dstSt.Mode.IsDir() && !dstSt.Mode.IsRegular() {
		return fmt.Errorf("destination %q must be a directory or a regular file", ref+":"+dst)
	}
	if statErr != nil && !errors.Is(statErr, engine.ErrPathNotFound) {
		return statErr
	}
	exists := statErr == nil
	if src == "-" {
		if !exists || !dstSt.Mode.IsDir() {
			return fmt.Errorf("destination %q must be a directory", ref+":"+dst)
		}
		return files.ExtractToDir(ctx, ref, dst, a.stdin, archive.ExtractOptions{})
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	if strings.HasSuffix(src, "/.") {
		abs += "/."
	}
	stat := os.Lstat
	if f.follow {
		stat = os.Stat
	}
	fi, err := stat(filepath.Clean(abs))
	if err != nil {
		return err
	}
	target, err := planCopy(abs, fi.IsDir(), dst, exists, exists && dstSt.Mode.IsDir())
	if err != nil {
		return err
	}
	clean := filepath.Clean(abs)
	root, err := archive.OpenRoot(filepath.Dir(clean))
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	rel := filepath.Base(clean)
	if strings.HasSuffix(abs, "/.") {
		rel += "/."
	}
	var xopts archive.ExtractOptions
	if !f.archive {
		xopts.Owner = &archive.Owner{UID: 0, GID: 0}
	}
	pr, pw := io.Pipe()
	counted := &countingReader{r: pr}
	go func() {
		pw.CloseWithError(archive.Write(pw, root, rel, archive.WriteOptions{Follow: f.follow, Name: target.name}))
	}()
	err = files.ExtractToDir(ctx, ref, target.dir, counted, xopts)
	pr.CloseWithError(err)
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(a.stderr, "Successfully copied %s to %s\n", units.HumanSizeWithPrecision(float64(counted.n), 3), ref+":"+dst)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"berth/engine/archive"
)

// Files in and out of a container, for `berth cp` and `berth export`.
// Each works on a running container (through its PID 1's root) and on a
// stopped one (its layers, mounted detached for the moment; the container
// stays locked so that it does not start on them meanwhile). Every
// container path is resolved inside the container's root by package
// archive, whatever the container planted there.

// ErrPathNotFound is a container path that does not exist.
var ErrPathNotFound = archive.ErrNotFound

// StatPath describes the path p in the container ref (docker's
// "stat path"): a symlink at p is described as the symlink unless follow.
func (e *Engine) StatPath(ctx context.Context, ref, p string, follow bool) (archive.Stat, error) {
	var st archive.Stat
	err := e.withPathRoot(ref, p, func(c *record, root *os.File, rel string, _ bool) error {
		var err error
		st, err = archive.StatPath(root, rel, follow)
		st.Name = path.Base(path.Clean("/" + p))
		return e.pathError(c, p, err)
	})
	return st, err
}

// ArchivePath writes the path p of the container ref, and everything
// below it, to w as a tar stream (docker's GET archive; event
// archive-path).
func (e *Engine) ArchivePath(ctx context.Context, ref, p string, opts archive.WriteOptions, w io.Writer) error {
	if opts.Name == "" {
		opts.Name = path.Base(path.Clean("/" + p))
		if strings.HasSuffix(p, "/.") || p == "." {
			opts.Name = "."
		}
	}
	return e.withPathRoot(ref, p, func(c *record, root *os.File, rel string, running bool) error {
		if !running {
			mounts, closeMounts, err := openMountsBelow(c, p)
			if err != nil {
				return fmt.Errorf("container %s: %w", c.DisplayName(), err)
			}
			defer closeMounts()
			opts.Mounts = mounts
		}
		if err := archive.Write(w, root, rel, opts); err != nil {
			return e.pathError(c, p, err)
		}
		e.event(c, "archive-path", nil)
		return nil
	})
}

// ExtractToDir extracts the tar stream r into the directory dir of the
// container ref (docker's PUT archive; event extract-to-dir).
func (e *Engine) ExtractToDir(ctx context.Context, ref, dir string, r io.Reader, opts archive.ExtractOptions) error {
	return e.withPathRoot(ref, dir, func(c *record, root *os.File, rel string, _ bool) error {
		if err := checkWritable(c, dir); err != nil {
			return err
		}
		if err := archive.Extract(root, rel, r, opts); err != nil {
			return e.pathError(c, dir, err)
		}
		e.event(c, "extract-to-dir", nil)
		return nil
	})
}

// Export writes the container's whole root filesystem to w as a tar
// stream: its layers (init layer included), not what is mounted on them
// (volumes, the files berth binds, /dev, the kernel's filesystems), as
// docker's export, running or not (event export).
func (e *Engine) Export(ctx context.Context, ref string, w io.Writer) error {
	return e.withRoot(ref, openRootMount, func(c *record, root *os.File) error {
		if err := archive.Write(w, root, "/", archive.WriteOptions{Name: ".", OneFileSystem: true, OmitRoot: true}); err != nil {
			return fmt.Errorf("export %s: %w", c.DisplayName(), err)
		}
		e.event(c, "export", nil)
		return nil
	})
}

// pathError words a failure on the container path p as docker does.
func (e *Engine) pathError(c *record, p string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, archive.ErrNotFound) {
		return fmt.Errorf("Could not find the file %s in container %s: %w", p, c.DisplayName(), ErrPathNotFound) //nolint:staticcheck // docker's words
	}
	return fmt.Errorf("%s:%s: %w", c.DisplayName(), p, err)
}

// withRoot runs fn on the root filesystem of the container ref: a
// running container's as open opens it from its PID 1 (openProcessRoot:
// with its mounts; openRootMount: without), a stopped one's layers.
func (e *Engine) withRoot(ref string, open func(pid int) (*os.File, error), fn func(c *record, root *os.File) error) error {
	return e.withRootOf(ref, open, func(c *record, root *os.File, _ bool) error { return fn(c, root) })
}

// withRootOf is withRoot telling fn whether root is the running
// process's (running) or the stopped container's layers.
func (e *Engine) withRootOf(ref string, open func(pid int) (*os.File, error), fn func(c *record, root *os.File, running bool) error) error {
	c, err := e.get(ref)
	if err != nil {
		return err
	}
	if c.State.Status.hasProcess() {
		root, err := open(c.State.Pid)
		if err == nil {
			defer func() { _ = root.Close() }()
			return fn(c, root, true)
		}
		if !errors.Is(err, ErrNotRunning) {
			return err
		}
		// It stopped meanwhile: its layers then.
	}
	c, unlock, err := e.locked(c.ID)
	if err != nil {
		return err
	}
	defer unlock()
	if c.State.Status.hasProcess() {
		return fmt.Errorf("container %s started while being opened, try again: %w", c.DisplayName(), ErrRunning)
	}
	root, err := mountDetached(c.RootMount)
	if err != nil {
		return fmt.Errorf("container %s: %w", c.DisplayName(), err)
	}
	defer func() { _ = root.Close() }()
	return fn(c, root, false)
}

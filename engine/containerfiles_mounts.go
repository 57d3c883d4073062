package engine

import (
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"berth/engine/archive"
)

// A stopped container has nothing mounted on its layers, yet docker's cp
// sees its volumes and bind mounts there. So a container path that lies
// in one of them (the longest mount destination it starts with, as the
// mount on top would be) is resolved inside that mount's source instead
// of the layers: the part below the destination, still by package
// archive, so that no symlink leads out of the source. tmpfs mounts have
// no content while stopped: what lies under them is what docker shows.

// mountFor is the mount of c that the container path p lies in, and p
// relative to its destination; nil when p is on the layers. tmpfs
// mounts count only withTmpfs.
func mountFor(c *record, p string, withTmpfs bool) (*containerMount, string) {
	clean := path.Clean("/" + p)
	var best *containerMount
	for _, m := range c.containerMounts() {
		if m.Type == "tmpfs" && !withTmpfs {
			continue
		}
		dest := path.Clean("/" + m.Target)
		if clean != dest && !strings.HasPrefix(clean, strings.TrimSuffix(dest, "/")+"/") {
			continue
		}
		if best == nil || len(dest) > len(path.Clean("/"+best.Target)) {
			m := m
			best = &m
		}
	}
	if best == nil {
		return nil, ""
	}
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(clean, path.Clean("/"+best.Target)), "/")
	switch {
	case strings.HasSuffix(p, "/."):
		rel = strings.TrimSuffix(rel, "/") + "/."
	case strings.HasSuffix(p, "/") && rel != "/":
		rel += "/"
	}
	return best, rel
}

// openMountSource opens the source of m as a root for the path rel
// below its destination: a directory source is the root itself; a file
// source (a bound file) is reached as its base name in its directory,
// and only as the destination itself.
func openMountSource(m *containerMount, rel string) (*os.File, string, error) {
	fi, err := os.Stat(m.Source)
	if err != nil {
		return nil, "", fmt.Errorf("%s mount %s: %w", m.Type, m.Target, err)
	}
	if fi.IsDir() {
		root, err := archive.OpenRoot(m.Source)
		if err != nil {
			return nil, "", fmt.Errorf("%s mount %s: %w", m.Type, m.Target, err)
		}
		return root, rel, nil
	}
	if path.Clean(rel) != "/" {
		return nil, "", fmt.Errorf("%s mount %s: not a directory", m.Type, m.Target)
	}
	root, err := archive.OpenRoot(path.Dir(m.Source))
	if err != nil {
		return nil, "", fmt.Errorf("%s mount %s: %w", m.Type, m.Target, err)
	}
	return root, "/" + path.Base(m.Source), nil
}

// withPathRoot runs fn on the root in which the container path p of
// ref is to be resolved, with p as it reads there: a running container's
// root (its mounts included), or for a stopped one the source of the
// mount p lies in, else its layers.
// running tells fn whether root is a running container's.
func (e *Engine) withPathRoot(ref, p string, fn func(c *record, root *os.File, rel string, running bool) error) error {
	return e.withRootOf(ref, openProcessRoot, func(c *record, root *os.File, running bool) error {
		if running {
			return fn(c, root, p, true)
		}
		m, rel := mountFor(c, p, false)
		if m == nil {
			return fn(c, root, p, false)
		}
		src, rel, err := openMountSource(m, rel)
		if err != nil {
			return fmt.Errorf("container %s: %w", c.DisplayName(), err)
		}
		defer func() { _ = src.Close() }()
		return fn(c, src, rel, false)
	})
}

// openMountsBelow opens the sources of the mounts of the stopped
// container c whose destinations lie strictly below the container path
// p, keyed by their destination relative to p (WriteOptions.Mounts), so
// that a copy of p out of c includes them; closeAll closes them all.
func openMountsBelow(c *record, p string) (mounts map[string]*os.File, closeAll func(), err error) {
	clean := path.Clean("/" + p)
	prefix := strings.TrimSuffix(clean, "/") + "/"
	closeAll = func() {
		for _, f := range mounts {
			_ = f.Close()
		}
	}
	for _, m := range c.containerMounts() {
		dest := path.Clean("/" + m.Target)
		if m.Type == "tmpfs" || !strings.HasPrefix(dest, prefix) {
			continue
		}
		f, err := os.OpenFile(m.Source, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("%s mount %s: %w", m.Type, m.Target, err)
		}
		if mounts == nil {
			mounts = map[string]*os.File{}
		}
		mounts[strings.TrimPrefix(dest, prefix)] = f
	}
	return mounts, closeAll, nil
}

// checkWritable refuses a copy into the container path dir of c where
// docker does: on a read-only rootfs outside its mounts, and in a
// read-only mount.
func checkWritable(c *record, dir string) error {
	m, _ := mountFor(c, dir, true)
	switch {
	case m == nil && c.HostConfig.ReadonlyRootfs:
		return fmt.Errorf("copy to %s: %w: container rootfs is marked read-only", c.DisplayName(), ErrInvalidArgument)
	case m != nil && m.ReadOnly:
		return fmt.Errorf("copy to %s: %w: mounted volume is marked read-only", c.DisplayName(), ErrInvalidArgument)
	}
	return nil
}

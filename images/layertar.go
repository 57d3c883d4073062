package images

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	digest "github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// Layer tars from directories: the reverse of unpack. An overlay upper
// directory becomes an OCI layer (overlay whiteouts back to .wh. entries);
// for vfs the layer is the difference of two full trees.

// tarWriter writes files of one directory tree as tar entries, hard links
// as links to the first name seen.
type tarWriter struct {
	tw    *tar.Writer
	links map[[2]uint64]string
	buf   []byte
}

func newTarWriter(w io.Writer) *tarWriter {
	return &tarWriter{tw: tar.NewWriter(w), links: map[[2]uint64]string{}, buf: make([]byte, 256<<10)}
}

// add writes the file at host path p as the entry name.
func (t *tarWriter) add(p, name string) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return fmt.Errorf("stat %s: %w", p, err)
	}
	hdr := &tar.Header{
		Name:     name,
		Mode:     int64(st.Mode & 0o7777),
		Uid:      int(st.Uid),
		Gid:      int(st.Gid),
		ModTime:  timespecTime(st.Mtim),
		Format:   tar.FormatPAX,
		Typeflag: tar.TypeReg,
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
		hdr.Name = strings.TrimSuffix(name, "/") + "/"
	case unix.S_IFREG:
		if st.Nlink > 1 {
			key := [2]uint64{uint64(st.Dev), st.Ino}
			if first, ok := t.links[key]; ok {
				hdr.Typeflag = tar.TypeLink
				hdr.Linkname = first
				return t.tw.WriteHeader(hdr)
			}
			t.links[key] = name
		}
		hdr.Size = st.Size
	case unix.S_IFLNK:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = target
	case unix.S_IFCHR:
		hdr.Typeflag = tar.TypeChar
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(uint64(st.Rdev))), int64(unix.Minor(uint64(st.Rdev)))
	case unix.S_IFBLK:
		hdr.Typeflag = tar.TypeBlock
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(uint64(st.Rdev))), int64(unix.Minor(uint64(st.Rdev)))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets are not content
	}
	names, err := listXattrs(p)
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, overlayXattrPrefix) {
			continue
		}
		v, err := getXattr(p, n)
		if err != nil {
			return err
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords[paxXattrPrefix+n] = string(v)
	}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	// Never a symlink swapped in since the lstat above (a container's
	// writable layer can change under a commit that does not pause it).
	f, err := os.OpenFile(p, os.O_RDONLY|unixNoFollow|unixNonBlock, 0)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	n, err := io.CopyBuffer(t.tw, io.LimitReader(f, hdr.Size), t.buf)
	if err == nil && n != hdr.Size {
		err = fmt.Errorf("%s changed size while being read", p)
	}
	return err
}

// whiteout writes a .wh. entry deleting name.
func (t *tarWriter) whiteout(name string) error {
	dir, base := path.Split(name)
	return t.tw.WriteHeader(&tar.Header{Name: dir + whiteoutPrefix + base, Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX})
}

func (t *tarWriter) close() error { return t.tw.Close() }

// isOverlayWhiteout reports whether st is overlay's whiteout: a 0:0 char device.
func isOverlayWhiteout(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

func isOpaque(dir string) bool {
	buf := make([]byte, 1)
	n, err := unix.Lgetxattr(dir, "trusted.overlay.opaque", buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

// writeOverlayDiff writes an overlay layer directory as an OCI layer tar.
func writeOverlayDiff(w io.Writer, dir string) error {
	t := newTarWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		if isOverlayWhiteout(&st) {
			return t.whiteout(rel)
		}
		if err := t.add(p, rel); err != nil {
			return err
		}
		if d.IsDir() && isOpaque(p) {
			return t.tw.WriteHeader(&tar.Header{Name: rel + "/" + whiteoutOpaque, Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("diff %s: %w", dir, err)
	}
	return t.close()
}

// writeTreeDiff writes what changed from the full tree old to the full
// tree cur as an OCI layer tar: new and changed entries with their parent
// directories, and whiteouts for what was deleted.
func writeTreeDiff(w io.Writer, old, cur string) error {
	t := newTarWriter(w)
	written := map[string]bool{}
	var addWithParents func(rel string) error
	addWithParents = func(rel string) error {
		if rel == "." || written[rel] {
			return nil
		}
		if err := addWithParents(path.Dir(rel)); err != nil {
			return err
		}
		written[rel] = true
		return t.add(filepath.Join(cur, rel), rel)
	}
	err := filepath.WalkDir(cur, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == cur {
			return nil
		}
		rel, _ := filepath.Rel(cur, p)
		rel = filepath.ToSlash(rel)
		changed, err := entryChanged(filepath.Join(old, rel), p)
		if err != nil {
			return err
		}
		if changed {
			return addWithParents(rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("diff %s: %w", cur, err)
	}
	var deleted []string
	err = filepath.WalkDir(old, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == old {
			return nil
		}
		rel, _ := filepath.Rel(old, p)
		rel = filepath.ToSlash(rel)
		if _, err := os.Lstat(filepath.Join(cur, rel)); errors.Is(err, fs.ErrNotExist) {
			deleted = append(deleted, rel)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("diff %s: %w", cur, err)
	}
	sort.Strings(deleted)
	for _, rel := range deleted {
		if err := addWithParents(path.Dir(rel)); err != nil {
			return err
		}
		if err := t.whiteout(rel); err != nil {
			return err
		}
	}
	return t.close()
}

// entryChanged compares an entry of the old tree with the new one by type,
// mode, owner, size, mtime, link target and xattrs (not content: a rewrite
// of equal size within one mtime tick goes unseen, as in docker's vfs).
func entryChanged(oldPath, newPath string) (bool, error) {
	var o, n unix.Stat_t
	if err := unix.Lstat(oldPath, &o); err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return true, nil
		}
		return false, err
	}
	if err := unix.Lstat(newPath, &n); err != nil {
		return false, err
	}
	if o.Mode != n.Mode || o.Uid != n.Uid || o.Gid != n.Gid || o.Rdev != n.Rdev {
		return true, nil
	}
	if n.Mode&unix.S_IFMT != unix.S_IFDIR && (o.Size != n.Size || o.Mtim != n.Mtim) {
		return true, nil
	}
	if n.Mode&unix.S_IFMT == unix.S_IFLNK {
		a, _ := os.Readlink(oldPath)
		b, _ := os.Readlink(newPath)
		if a != b {
			return true, nil
		}
	}
	ox, err := xattrSet(oldPath)
	if err != nil {
		return false, err
	}
	nx, err := xattrSet(newPath)
	if err != nil {
		return false, err
	}
	return ox != nx, nil
}

func xattrSet(p string) (string, error) {
	names, err := listXattrs(p)
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		v, err := getXattr(p, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s=%q;", n, v)
	}
	return b.String(), nil
}

// layerTar streams one stored layer as an OCI layer tar: overlay2 layers
// as they are, vfs layers as their difference from the parent.
func (s *Store) layerTar(chains []digest.Digest, i int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		var err error
		switch {
		case s.driver == DriverOverlay2:
			err = writeOverlayDiff(pw, s.diffDir(chains[i]))
		case i == 0:
			empty, e := s.mkdirTemp("empty")
			if e != nil {
				err = e
				break
			}
			err = writeTreeDiff(pw, empty, s.diffDir(chains[i]))
			_ = os.Remove(empty)
		default:
			err = writeTreeDiff(pw, s.diffDir(chains[i-1]), s.diffDir(chains[i]))
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// materialize returns a directory holding the merged filesystem of a layer
// chain, for reading (COPY --from). vfs layers are merged already; overlay2
// layers are applied in order into a new directory under tmp/, which the
// returned cleanup removes.
func (s *Store) materialize(chains []digest.Digest) (dir string, cleanup func(), err error) {
	if s.driver == DriverVFS && len(chains) > 0 {
		return s.diffDir(chains[len(chains)-1]), func() {}, nil
	}
	dir, err = s.mkdirTemp("merged")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(dir) } // scratch space under tmp/
	for i := range chains {
		r := s.layerTar(chains, i)
		_, err := applyLayer(dir, r, whiteoutDelete)
		_ = r.Close()
		if err != nil {
			cleanup()
			return "", nil, fmt.Errorf("merge layers: %w", err)
		}
	}
	return dir, cleanup, nil
}

// statInChain finds path p (relative to the root) in a layer chain, top
// layer first, honouring whiteouts and opaque directories, and returns
// the host path where it lives. In each layer the directories above p
// are looked at one by one, never followed: a whiteout, file or symlink
// there hides p in that layer and the ones below, as overlay has it (and
// a symlink an image planted never leads the lookup out of the layer).
func (s *Store) statInChain(chains []digest.Digest, p string) (string, fs.FileInfo, error) {
	p = entryPath(p)
	var dirs []string // the directories above p, outermost first
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		dirs = append([]string{d}, dirs...)
	}
	if len(chains) == 0 {
		return "", nil, fs.ErrNotExist
	}
	top := len(chains) - 1
	bottom := 0
	if s.driver == DriverVFS {
		bottom = top // each layer is a full tree
	}
	for i := top; i >= bottom; i-- {
		root := s.diffDir(chains[i])
		here, opaque := true, false
		for _, d := range dirs {
			var st unix.Stat_t
			if err := unix.Lstat(filepath.Join(root, d), &st); err != nil {
				here = false
				break
			}
			if st.Mode&unix.S_IFMT != unix.S_IFDIR {
				return "", nil, fs.ErrNotExist
			}
			opaque = opaque || isOpaque(filepath.Join(root, d))
		}
		if here {
			hp := filepath.Join(root, p)
			if fi, err := os.Lstat(hp); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
					return "", nil, fs.ErrNotExist // a whiteout
				}
				return hp, fi, nil
			}
		}
		if opaque {
			return "", nil, fs.ErrNotExist
		}
	}
	return "", nil, fs.ErrNotExist
}

package images

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// whiteoutMode says what OCI whiteout entries do when a layer is applied.
type whiteoutMode int

const (
	// whiteoutOverlay turns .wh.NAME into an overlay whiteout (char device
	// 0:0) and .wh..wh..opq into trusted.overlay.opaque=y: overlay2 layers
	// keep only their own changes.
	whiteoutOverlay whiteoutMode = iota
	// whiteoutDelete deletes what the whiteouts name from the directory the
	// layer is applied onto: vfs layers are full copies.
	whiteoutDelete
)

const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
	// overlayXattrPrefix is reserved for overlayfs; a layer may not set it.
	overlayXattrPrefix = "trusted.overlay."
	paxXattrPrefix     = "SCHILY.xattr."
)

// entryPath cleans a tar entry name into a path relative to the layer root:
// ".." cannot climb above the root and absolute names start at the root.
// "" is the root itself.
func entryPath(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// applyLayer extracts the uncompressed layer tar r into root and returns the
// number of bytes of file content written. Every path is resolved inside
// root, symlinks included, so no entry can write outside it; a hard link
// must point at a file inside root. Modes, ownership, mtimes and xattrs
// are kept.
func applyLayer(root string, r io.Reader, mode whiteoutMode) (int64, error) {
	a := &applier{root: root, mode: mode, written: map[string]bool{}, buf: make([]byte, 256<<10)}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("read layer: %w", err)
		}
		if err := a.apply(hdr, tr); err != nil {
			return 0, fmt.Errorf("extract %q: %w", hdr.Name, err)
		}
	}
	// Directory times last: writing children changes them.
	for i := len(a.dirs) - 1; i >= 0; i-- {
		d := a.dirs[i]
		if err := setTimes(d.path, d.atime, d.mtime); err != nil {
			return 0, fmt.Errorf("extract %q: %w", d.name, err)
		}
	}
	return a.size, nil
}

type dirTimes struct {
	name, path   string
	atime, mtime time.Time
}

type applier struct {
	root    string
	mode    whiteoutMode
	size    int64
	dirs    []dirTimes
	written map[string]bool // entries of this layer, for opaque dirs in delete mode
	buf     []byte
}

// resolveParent resolves the directory part of rel inside the root,
// creating missing directories, and returns the on-disk path of rel's
// parent and rel's base name.
func (a *applier) resolveParent(rel string) (parent, base string, err error) {
	dir, base := path.Split(rel)
	parent, err = securejoin.SecureJoin(a.root, dir)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", "", err
	}
	return parent, base, nil
}

// isSparse reports whether hdr is a GNU sparse file (old GNU type S, or
// PAX GNU.sparse records): archive/tar reads its holes back as zeros, so a
// few hundred bytes could declare a terabyte of them.
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func (a *applier) apply(hdr *tar.Header, r io.Reader) error {
	if isSparse(hdr) {
		return fmt.Errorf("%w: sparse files are not supported", ErrUnsafeEntry)
	}
	if hdr.Typeflag == tar.TypeChar || hdr.Typeflag == tar.TypeBlock {
		if err := checkDeviceNumber(hdr.Devmajor, hdr.Devminor); err != nil {
			return err
		}
	}
	rel := entryPath(hdr.Name)
	if rel == "" {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("%w: the layer root must be a directory", ErrUnsafeEntry)
		}
		return a.setMeta(hdr, a.root, rel)
	}
	parent, base, err := a.resolveParent(rel)
	if err != nil {
		return err
	}
	if base == whiteoutOpaque {
		return a.opaque(parent, path.Dir(rel))
	}
	if name, ok := strings.CutPrefix(base, whiteoutPrefix); ok {
		return a.whiteout(hdr, parent, name)
	}
	target := filepath.Join(parent, base)
	a.written[rel] = true

	fi, err := os.Lstat(target)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if exists && !(fi.IsDir() && hdr.Typeflag == tar.TypeDir) {
		if err := os.RemoveAll(target); err != nil {
			return err
		}
	}

	switch hdr.Typeflag {
	case tar.TypeDir:
		if !exists || !fi.IsDir() {
			if err := os.Mkdir(target, 0o700); err != nil {
				return err
			}
		}
	case tar.TypeReg:
		if err := a.writeFile(target, r); err != nil {
			return err
		}
		a.size += hdr.Size
	case tar.TypeSymlink:
		if err := os.Symlink(hdr.Linkname, target); err != nil {
			return err
		}
	case tar.TypeLink:
		return a.hardLink(hdr, target)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if err := mknod(target, hdr.Typeflag, hdr.Mode, hdr.Devmajor, hdr.Devminor); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
	}
	return a.setMeta(hdr, target, rel)
}

// Linux device numbers have a 12-bit major and a 20-bit minor; mknod
// silently drops higher bits, so 4103:0 would become 7:0 (a loop device).
const (
	maxDevMajor = 1<<12 - 1
	maxDevMinor = 1<<20 - 1
)

// checkDeviceNumber refuses device numbers that mknod would truncate.
func checkDeviceNumber(major, minor int64) error {
	if major < 0 || major > maxDevMajor || minor < 0 || minor > maxDevMinor {
		return fmt.Errorf("%w: device number %d:%d is out of range (major 0-%d, minor 0-%d)", ErrUnsafeEntry, major, minor, maxDevMajor, maxDevMinor)
	}
	return nil
}

func (a *applier) writeFile(target string, r io.Reader) error {
	f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY|unixNoFollow, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(f, r, a.buf); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// hardLink links target to the entry's link name, resolved inside the root.
// The link name's last component is not followed, as link(2) does not.
func (a *applier) hardLink(hdr *tar.Header, target string) error {
	rel := entryPath(hdr.Linkname)
	if rel == "" {
		return fmt.Errorf("%w: hard link to the layer root", ErrUnsafeEntry)
	}
	dir, base := path.Split(rel)
	parent, err := securejoin.SecureJoin(a.root, dir)
	if err != nil {
		return err
	}
	src := filepath.Join(parent, base)
	fi, err := os.Lstat(src)
	if err != nil {
		return fmt.Errorf("%w: hard link target %q is not in the layer", ErrUnsafeEntry, hdr.Linkname)
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: hard link target %q is a directory", ErrUnsafeEntry, hdr.Linkname)
	}
	return os.Link(src, target)
}

// opaque handles .wh..wh..opq in dir (on-disk path parent, layer path rel).
func (a *applier) opaque(dirPath, rel string) error {
	if a.mode == whiteoutOverlay {
		return setOpaque(dirPath)
	}
	entries, err := os.ReadDir(dirPath)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if a.written[path.Join(rel, e.Name())] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dirPath, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// whiteout handles .wh.NAME in the directory at parent.
func (a *applier) whiteout(hdr *tar.Header, parent, name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("%w: malformed whiteout", ErrUnsafeEntry)
	}
	target := filepath.Join(parent, name)
	if err := os.RemoveAll(target); err != nil {
		return err
	}
	if a.mode == whiteoutDelete {
		return nil
	}
	if err := mknod(target, tar.TypeChar, 0, 0, 0); err != nil {
		return err
	}
	return os.Lchown(target, hdr.Uid, hdr.Gid)
}

// setMeta applies ownership, xattrs, mode and times. Mode comes after the
// owner because chown clears set-id bits.
func (a *applier) setMeta(hdr *tar.Header, target, rel string) error {
	if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil {
		return err
	}
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, paxXattrPrefix)
		if !ok || strings.HasPrefix(name, overlayXattrPrefix) {
			continue
		}
		if err := setXattr(target, name, v); err != nil {
			return err
		}
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := chmod(target, hdr.Mode); err != nil {
			return err
		}
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.Typeflag == tar.TypeDir {
		a.dirs = append(a.dirs, dirTimes{name: hdr.Name, path: target, atime: atime, mtime: hdr.ModTime})
		return nil
	}
	return setTimes(target, atime, hdr.ModTime)
}

package images

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Change kinds, as `docker diff` prints them.
const (
	ChangeModify = 0 // C
	ChangeAdd    = 1 // A
	ChangeDelete = 2 // D
)

// Change is one path of a container's filesystem that differs from its
// image, docker's container.FilesystemChange.
type Change struct {
	Path string `json:"Path"` // absolute, inside the container
	Kind int    `json:"Kind"` // ChangeModify, ChangeAdd or ChangeDelete
}

// ContainerChanges lists what a container changed in its image's
// filesystem (and init layer, which is below the container's own), in
// the order of docker's change walk (moby's pkg/archive changes()):
// depth first, each directory's entries by name, a directory before
// what it holds. overlay2 reads the writable layer: its whiteouts are
// deletions, what a lower layer holds is modified, the rest added; a
// directory copied up counts as modified when something below it
// changed or its mode or owner did, as docker's tree comparison says
// (the diff of the docker 20.10 berth is compared with, whose overlay2
// falls back to it). vfs compares the container's copy with its init
// layer's.
func (s *Store) ContainerChanges(containerID string) ([]Change, error) {
	if err := checkContainerID(containerID); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	var rec rootfsRecord
	if err := readJSON(s.rootfsRecordPath(containerID), &rec); err != nil {
		return nil, fmt.Errorf("diff %s: %w", containerID, err)
	}
	var changes []Change
	var err error
	if rec.Driver == DriverVFS {
		changes, err = s.treeChanges(&rec)
		sort.SliceStable(changes, func(i, j int) bool { return walkOrder(changes[i].Path, changes[j].Path) })
	} else {
		changes, err = s.overlayChanges(&rec)
	}
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", containerID, err)
	}
	return changes, nil
}

// walkOrder reports whether a comes before b in a depth-first walk that
// visits each directory's entries by name ("/a", "/a/b", "/a-c").
func walkOrder(a, b string) bool {
	return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/")) < 0
}

func (s *Store) overlayChanges(rec *rootfsRecord) ([]Change, error) {
	upper := filepath.Join(s.containerDir(rec.ID), "diff")
	var changes []Change
	err := filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == upper {
			return err
		}
		rel, _ := filepath.Rel(upper, p)
		rel = filepath.ToSlash(rel)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		c := Change{Path: "/" + rel, Kind: ChangeAdd}
		if isOverlayWhiteout(&st) {
			c.Kind = ChangeDelete
		} else if lower, err := s.statBelow(rec, rel); err == nil {
			if lst, ok := lower.Sys().(*syscall.Stat_t); ok && st.Mode&unix.S_IFMT == unix.S_IFDIR && lower.IsDir() &&
				st.Mode == lst.Mode && st.Uid == lst.Uid && st.Gid == lst.Gid {
				empty, err := emptyDir(p)
				if err != nil {
					return err
				}
				if empty {
					return nil // copied up, and nothing in it changed
				}
			}
			c.Kind = ChangeModify
		}
		changes = append(changes, c)
		return nil
	})
	return changes, err
}

// emptyDir reports whether the directory p (not a symlink) has no entries.
func emptyDir(p string) (bool, error) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, &os.PathError{Op: "open", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	defer func() { _ = f.Close() }()
	if _, err := f.Readdirnames(1); err != nil {
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

// statBelow describes what the layers under a container's writable layer
// hold at rel: its init layer, then its image's.
func (s *Store) statBelow(rec *rootfsRecord, rel string) (fs.FileInfo, error) {
	if rec.Init {
		if fi, err := os.Lstat(filepath.Join(s.containerDir(rec.ID), "init", rel)); err == nil {
			return fi, nil
		}
	}
	_, fi, err := s.statInChain(rec.Layers, rel)
	return fi, err
}

// vfsBase is the tree a vfs container's copy is compared with: its init
// layer, or for a container without one its image's top layer ("" for
// none).
func (s *Store) vfsBase(rec *rootfsRecord) string {
	if rec.Init {
		return filepath.Join(s.containerDir(rec.ID), "init")
	}
	if n := len(rec.Layers); n > 0 {
		return s.diffDir(rec.Layers[n-1])
	}
	return ""
}

func (s *Store) treeChanges(rec *rootfsRecord) ([]Change, error) {
	cur := filepath.Join(s.containerDir(rec.ID), "rootfs")
	old := s.vfsBase(rec)
	seen := map[string]bool{}
	var changes []Change
	add := func(rel string, kind int) {
		for dir := path.Dir(rel); dir != "." && !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			changes = append(changes, Change{Path: "/" + dir, Kind: ChangeModify})
		}
		if !seen[rel] {
			seen[rel] = true
			changes = append(changes, Change{Path: "/" + rel, Kind: kind})
		}
	}
	err := filepath.WalkDir(cur, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == cur {
			return err
		}
		rel, _ := filepath.Rel(cur, p)
		rel = filepath.ToSlash(rel)
		if old == "" {
			add(rel, ChangeAdd)
			return nil
		}
		if _, err := os.Lstat(filepath.Join(old, rel)); errors.Is(err, fs.ErrNotExist) {
			add(rel, ChangeAdd)
			return nil
		}
		changed, err := entryChanged(filepath.Join(old, rel), p)
		if err != nil {
			return err
		}
		if changed {
			add(rel, ChangeModify)
		}
		return nil
	})
	if err != nil || old == "" {
		return changes, err
	}
	err = filepath.WalkDir(old, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == old {
			return err
		}
		rel, _ := filepath.Rel(old, p)
		rel = filepath.ToSlash(rel)
		if _, err := os.Lstat(filepath.Join(cur, rel)); errors.Is(err, fs.ErrNotExist) {
			add(rel, ChangeDelete)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	return changes, err
}

package images

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

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
// filesystem, sorted by path as docker does: overlay2 reads the writable
// layer (its whiteouts are deletions, what its lower layers hold is
// modified, the rest added); vfs compares the container's copy with the
// image's tree. The directories above a change count as modified.
// mountpoints are paths (relative, "etc/hosts") the runtime creates empty
// to mount files on, as docker's init layer holds them: left out when
// the image lacks them and they are still empty.
func (s *Store) ContainerChanges(containerID string, mountpoints []string) ([]Change, error) {
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
	} else {
		changes, err = s.overlayChanges(&rec, mountpoints)
	}
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", containerID, err)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

func (s *Store) overlayChanges(rec *rootfsRecord, mountpoints []string) ([]Change, error) {
	upper := filepath.Join(s.containerDir(rec.ID), "diff")
	var changes []Change
	dirs := map[string]bool{} // modified directories
	skipped := false
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
		if isOverlayWhiteout(&st) {
			changes = append(changes, Change{Path: "/" + rel, Kind: ChangeDelete})
			return nil
		}
		if s.isMountpoint(rec, rel, &st, mountpoints) {
			skipped = true
			return nil
		}
		kind := ChangeAdd
		if _, _, err := s.statInChain(rec.Layers, rel); err == nil {
			kind = ChangeModify
			if d.IsDir() {
				dirs["/"+rel] = true
			}
		}
		changes = append(changes, Change{Path: "/" + rel, Kind: kind})
		return nil
	})
	if err != nil || !skipped {
		return changes, err
	}
	// A directory copied up only to hold mountpoints is no change.
	return slices.DeleteFunc(changes, func(c Change) bool {
		if !dirs[c.Path] {
			return false
		}
		return !slices.ContainsFunc(changes, func(o Change) bool { return strings.HasPrefix(o.Path, c.Path+"/") })
	}), nil
}

// isMountpoint reports whether rel (st) is a file the runtime made to
// mount on: one of mountpoints, empty, and not in the image.
func (s *Store) isMountpoint(rec *rootfsRecord, rel string, st *unix.Stat_t, mountpoints []string) bool {
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != 0 || !slices.Contains(mountpoints, rel) {
		return false
	}
	_, _, err := s.statInChain(rec.Layers, rel)
	return err != nil
}

func (s *Store) treeChanges(rec *rootfsRecord) ([]Change, error) {
	cur := filepath.Join(s.containerDir(rec.ID), "rootfs")
	old := ""
	if n := len(rec.Layers); n > 0 {
		old = s.diffDir(rec.Layers[n-1])
	}
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

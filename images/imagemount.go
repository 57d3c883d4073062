package images

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// CreateImageMount prepares a read-only view of an image's files for a
// container's image mount (podman's --mount type=image, the CRI's image
// volumes). It is a rootfs without an init layer, recorded under
// mountID so that the image's layers are held as a container's are;
// RemoveRootfs(mountID) drops it. The mount it describes is read-only
// and names every directory by its absolute path (a container's own
// mounts are performed without a working directory). Calling it again
// returns the same mount.
func (s *Store) CreateImageMount(mountID, imageID string) (Mount, error) {
	mounts, err := s.createRootfs(mountID, imageID, false)
	if err != nil {
		return Mount{}, err
	}
	if len(mounts) != 1 {
		return Mount{}, fmt.Errorf("image mount %s: %d mounts described, want 1", mountID, len(mounts))
	}
	m := mounts[0]
	opts := slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "rw" })
	for i, o := range opts {
		key, value, ok := strings.Cut(o, "=")
		if !ok || m.Dir == "" || (key != "lowerdir" && key != "upperdir" && key != "workdir") {
			continue
		}
		dirs := strings.Split(value, ":")
		for j, d := range dirs {
			dirs[j] = filepath.Join(m.Dir, d)
		}
		opts[i] = key + "=" + strings.Join(dirs, ":")
	}
	m.Options, m.Dir = append(opts, "ro"), ""
	return m, nil
}

// RootfsIDs lists the IDs of the stored rootfs records that begin with
// prefix: the image mounts a container's create made before it died, for
// the engine to remove when the container's own record says nothing of
// them.
func (s *Store) RootfsIDs(prefix string) ([]string, error) {
	entries, err := os.ReadDir(s.containersDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list rootfs records: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

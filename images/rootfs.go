package images

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	digest "github.com/opencontainers/go-digest"

	"berth/internal/lazyregexp"
)

// Mount describes a mount for the runtime to perform; this package never
// mounts anything itself. Target "" means the container's root filesystem.
// Dir, when set, is the directory the relative paths in Source and
// Options are resolved in: the runtime performs the mount with Dir as its
// working directory (overlay2 names its layers by short relative links,
// see layerlinks.go).
type Mount struct {
	Type    string
	Source  string
	Target  string
	Options []string
	Dir     string
}

// rootfsRecord is containers/<id>/rootfs.json: which image and layers a
// container's writable layer sits on. Garbage collection keeps those layers.
type rootfsRecord struct {
	ID     string          `json:"id"`
	Image  string          `json:"image"`
	Driver string          `json:"driver"`
	Layers []digest.Digest `json:"layers"` // chain IDs, bottom first
	// Init says the container has an init layer (initlayer.go): every
	// container made since berth had one; build steps have none.
	Init bool `json:"init,omitempty"`
}

var containerIDPattern = lazyregexp.New(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (s *Store) containerDir(id string) string { return filepath.Join(s.containersDir(), id) }
func (s *Store) rootfsRecordPath(id string) string {
	return filepath.Join(s.containerDir(id), "rootfs.json")
}

func checkContainerID(id string) error {
	if !containerIDPattern().MatchString(id) || len(id) > 128 {
		return fmt.Errorf("invalid container ID %q", id)
	}
	return nil
}

// CreateRootfs prepares the writable layer of a container over an image
// and describes the mount that assembles its root filesystem. overlay2: an
// overlay of the image's layers with the container's diff and work
// directories; vfs: a bind mount of a full copy. Calling it again for the
// same container and image returns the same mounts.
func (s *Store) CreateRootfs(containerID, imageID string) ([]Mount, error) {
	return s.createRootfs(containerID, imageID, true)
}

// createRootfs is CreateRootfs; init says whether the rootfs has an
// init layer (an image mount has none: it shows the image's files alone).
func (s *Store) createRootfs(containerID, imageID string, init bool) ([]Mount, error) {
	if err := checkContainerID(containerID); err != nil {
		return nil, fmt.Errorf("create rootfs: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	id, _, err := s.resolve(imageID, refs)
	if err != nil {
		return nil, fmt.Errorf("create rootfs of %s: %w", containerID, err)
	}
	var rec rootfsRecord
	err = readJSON(s.rootfsRecordPath(containerID), &rec)
	if err == nil {
		if rec.Image != id.Encoded() || rec.Driver != s.driver {
			return nil, fmt.Errorf("create rootfs of %s: %w: it exists for image %s (%s)", containerID, ErrConflict, rec.Image, rec.Driver)
		}
		return s.rootfsMounts(&rec)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("create rootfs of %s: %w", containerID, err)
	}
	chains, err := s.ensureLayers(id)
	if err != nil {
		return nil, fmt.Errorf("create rootfs of %s: %w", containerID, WithImageName(err, s.imageName(id, refs)))
	}
	rec = rootfsRecord{ID: containerID, Image: id.Encoded(), Driver: s.driver, Layers: chains, Init: init}
	mounts, err := s.makeRootfs(&rec)
	if err != nil {
		return nil, fmt.Errorf("create rootfs of %s: %w", containerID, err)
	}
	return mounts, nil
}

// createStepRootfs prepares the root filesystem of a build step over a
// layer stack that is not (yet) an image.
func (s *Store) createStepRootfs(containerID string, st layerStack) ([]Mount, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.ensureStack(st); err != nil {
		return nil, fmt.Errorf("create rootfs of %s: %w", containerID, err)
	}
	rec := rootfsRecord{ID: containerID, Driver: s.driver, Layers: st.Chains}
	mounts, err := s.makeRootfs(&rec)
	if err != nil {
		return nil, fmt.Errorf("create rootfs of %s: %w", containerID, err)
	}
	return mounts, nil
}

// makeRootfs builds the container directory in tmp/ and renames it into
// place, so a failure leaves nothing behind: the mounts are described (and
// checked against the kernel's limits) before anything is made.
func (s *Store) makeRootfs(rec *rootfsRecord) ([]Mount, error) {
	mounts, err := s.rootfsMounts(rec)
	if err != nil {
		return nil, err
	}
	if err := s.ensureLinks(rec.Layers); err != nil {
		return nil, err
	}
	if err := s.makeRootfsDir(rec); err != nil {
		return nil, err
	}
	return mounts, nil
}

func (s *Store) makeRootfsDir(rec *rootfsRecord) error {
	tmp, err := s.mkdirTemp("container")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	switch s.driver {
	case DriverOverlay2:
		for _, d := range []string{"diff", "work"} {
			if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
				return err
			}
		}
		if rec.Init {
			if err := os.Mkdir(filepath.Join(tmp, "init"), 0o755); err != nil {
				return err
			}
			err = makeInitLayer(filepath.Join(tmp, "init"), func(rel string) (fs.FileInfo, error) {
				_, fi, err := s.statInChain(rec.Layers, rel)
				return fi, err
			})
		} else if len(rec.Layers) == 0 {
			err = os.Mkdir(filepath.Join(tmp, "empty"), 0o755)
		}
		if err != nil {
			return err
		}
	case DriverVFS:
		// As docker's vfs: the init layer is a copy of the image with
		// its entries made, and the container's copy starts from it.
		rootfs := filepath.Join(tmp, "rootfs")
		base := rootfs
		if rec.Init {
			base = filepath.Join(tmp, "init")
		}
		if len(rec.Layers) == 0 {
			err = os.Mkdir(base, 0o755)
		} else {
			err = copyTree(s.diffDir(rec.Layers[len(rec.Layers)-1]), base)
		}
		if err != nil {
			return err
		}
		if rec.Init {
			if err := makeInitLayer(base, func(rel string) (fs.FileInfo, error) {
				return os.Lstat(filepath.Join(base, rel))
			}); err != nil {
				return err
			}
			if err := copyTree(base, rootfs); err != nil {
				return err
			}
		}
	}
	if err := writeJSONAtomic(filepath.Join(tmp, "rootfs.json"), rec); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.containerDir(rec.ID)); err != nil {
		return err
	}
	return syncDir(s.containersDir())
}

func (s *Store) rootfsMounts(rec *rootfsRecord) ([]Mount, error) {
	dir := s.containerDir(rec.ID)
	if rec.Driver == DriverVFS {
		return []Mount{{Type: "bind", Source: filepath.Join(dir, "rootfs"), Options: []string{"rbind", "rw"}}}, nil
	}
	// Every path is relative to the driver directory (see layerlinks.go).
	rel, err := filepath.Rel(s.driverDir(), dir)
	if err != nil {
		return nil, err
	}
	var lower []string
	if rec.Init {
		lower = append(lower, filepath.Join(rel, "init"))
	}
	for i := len(rec.Layers) - 1; i >= 0; i-- {
		name, err := linkName(rec.Layers[i])
		if err != nil {
			return nil, err
		}
		lower = append(lower, linksDir+"/"+name)
	}
	if len(lower) == 0 {
		lower = []string{filepath.Join(rel, "empty")}
	}
	m, err := overlayMount(lower, filepath.Join(rel, "diff"), filepath.Join(rel, "work"))
	if err != nil {
		return nil, fmt.Errorf("an image of %d layers: %w", len(rec.Layers), err)
	}
	m.Dir = s.driverDir()
	return []Mount{m}, nil
}

// maxOverlayOptions is the kernel's limit on mount data: one page.
const maxOverlayOptions = 4096

// overlayMount describes an overlay mount; lower lists the lower
// directories topmost first. index=off lets many mounts share lower layers
// (as moby does); redirect_dir=off (which also turns metacopy off) keeps
// every change whole in the upper directory, so that a build step's upper
// directory is its complete diff: renaming a lower directory then copies
// it, as on kernels built without redirect_dir.
func overlayMount(lower []string, upper, work string) (Mount, error) {
	opts := []string{
		"lowerdir=" + strings.Join(lower, ":"),
		"upperdir=" + upper,
		"workdir=" + work,
		"index=off",
		"redirect_dir=off",
	}
	if n := len(strings.Join(opts, ",")); n >= maxOverlayOptions {
		return Mount{}, fmt.Errorf("overlay options for %d lower directories are %d bytes, over the kernel's %d", len(lower), n, maxOverlayOptions)
	}
	return Mount{Type: "overlay", Source: "overlay", Options: opts}, nil
}

// RemoveRootfs deletes a container's writable layer, then the layers no
// image or container uses any more: only when its image no longer holds
// its layers (freesLayers), since that collection reads every image in
// the store. Removing one that does not exist is not an error. The caller must have unmounted the rootfs.
func (s *Store) RemoveRootfs(containerID string) error {
	if err := checkContainerID(containerID); err != nil {
		return fmt.Errorf("remove rootfs: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	dir := s.containerDir(containerID)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var rec *rootfsRecord
	if r := new(rootfsRecord); readJSON(s.rootfsRecordPath(containerID), r) == nil {
		rec = r
	}
	// Rename first so a half-deleted directory is never taken for a rootfs.
	trash, err := s.mkdirTemp("removing")
	if err != nil {
		return fmt.Errorf("remove rootfs of %s: %w", containerID, err)
	}
	if err := os.Rename(dir, filepath.Join(trash, "c")); err != nil {
		_ = os.Remove(trash)
		return fmt.Errorf("remove rootfs of %s: %w", containerID, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove rootfs of %s: %w", containerID, err)
	}
	if !s.freesLayers(rec) {
		return nil
	}
	if _, err := s.gc(); err != nil {
		return fmt.Errorf("remove rootfs of %s: %w", containerID, err)
	}
	return nil
}

// RootfsSize is the number of bytes in a container's writable layer:
// overlay2's upper directory, or for vfs the whole copy.
func (s *Store) RootfsSize(containerID string) (int64, error) {
	dir, err := s.RootfsLayerDir(containerID)
	if err != nil {
		return 0, fmt.Errorf("rootfs size: %w", err)
	}
	n, err := dirSize(dir)
	if err != nil {
		return 0, fmt.Errorf("rootfs size of %s: %w", containerID, err)
	}
	return n, nil
}

// RootfsLayerDir is the directory of a container's writable layer: the
// overlay upper directory, or the whole root with vfs.
func (s *Store) RootfsLayerDir(containerID string) (string, error) {
	if err := checkContainerID(containerID); err != nil {
		return "", fmt.Errorf("rootfs layer: %w", err)
	}
	var rec rootfsRecord
	if err := readJSON(s.rootfsRecordPath(containerID), &rec); err != nil {
		return "", fmt.Errorf("rootfs layer of %s: %w", containerID, err)
	}
	if rec.Driver == DriverVFS {
		return filepath.Join(s.containerDir(containerID), "rootfs"), nil
	}
	return filepath.Join(s.containerDir(containerID), "diff"), nil
}

// RootfsImage is the ID (64 hex) of the image a container's writable
// layer sits on, for a container whose own record is lost.
func (s *Store) RootfsImage(containerID string) (string, error) {
	if err := checkContainerID(containerID); err != nil {
		return "", fmt.Errorf("rootfs image: %w", err)
	}
	var rec rootfsRecord
	if err := readJSON(s.rootfsRecordPath(containerID), &rec); err != nil {
		return "", fmt.Errorf("rootfs image of %s: %w", containerID, err)
	}
	return strings.TrimPrefix(rec.Image, "sha256:"), nil
}

// rootfsRecords lists the containers' rootfs records; complete is false
// when one could not be read.
func (s *Store) rootfsRecords() (recs []rootfsRecord, complete bool, err error) {
	entries, err := os.ReadDir(s.containersDir())
	if err != nil {
		return nil, false, fmt.Errorf("list container layers: %w", err)
	}
	complete = true
	for _, e := range entries {
		var rec rootfsRecord
		err := readJSON(s.rootfsRecordPath(e.Name()), &rec)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			complete = false
			continue
		}
		recs = append(recs, rec)
	}
	return recs, complete, nil
}

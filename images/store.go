package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"berth/internal/atomicfile"

	digest "github.com/opencontainers/go-digest"
)

// Storage drivers.
const (
	DriverOverlay2 = "overlay2"
	DriverVFS      = "vfs"
)

// Options configure Open.
type Options struct {
	// Driver is the storage driver: "overlay2", "vfs", or "" to choose
	// overlay2 unless the root's filesystem cannot host overlay upper
	// directories (an overlayfs root, for one), then vfs.
	Driver string
	// Warn receives what the store repaired on its own (a damaged
	// references file rebuilt from the image records); nil discards it.
	Warn func(msg string)
	// ReleaseStep, when set, is called with the ID of each build step
	// whose build was killed, before Open removes the step's root
	// filesystem: the runner kills what still runs in the step and
	// removes what it made for it. An error keeps the rootfs for the next
	// Open. nil: the rootfs is removed at once.
	ReleaseStep func(id string) error
	// Event, when set, is told of what happens to images, as docker's
	// image events (see events.go): the action (pull, push, tag, untag,
	// delete, import, load, save), the actor's ID and docker's attributes.
	// nil tells no one.
	Event func(action, id string, attrs map[string]string)
}

// Store is an image store rooted at one directory. Its methods are safe for
// concurrent use by goroutines and by several processes sharing the root.
type Store struct {
	root     string
	driver   string
	owner    tmpOwner // this process, in the names of its tmp/ entries
	warn     func(msg string)
	release  func(id string) error // Options.ReleaseStep
	warnOnce sync.Once             // the references rebuild is told once per Store

	onEvent func(action, id string, attrs map[string]string) // Options.Event
}

// Open opens the store at root, creating its layout when missing.
func Open(root string, opts Options) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open image store %s: %w", root, err)
	}
	owner, err := currentTmpOwner()
	if err != nil {
		return nil, fmt.Errorf("open image store %s: %w", abs, err)
	}
	s := &Store{root: abs, warn: opts.Warn, release: opts.ReleaseStep, owner: owner}
	s.onEvent = opts.Event
	for _, dir := range []string{s.blobDir(), s.imagesDir(), s.layersDir(), s.containersDir(), s.tmpDir()} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open image store %s: %w", abs, err)
		}
	}
	// What killed work left is not worth failing a command for.
	if err := s.removeOrphanedTmp(); err != nil && s.warn != nil {
		s.warn(err.Error())
	}
	switch opts.Driver {
	case "":
		d, err := detectDriver(abs)
		if err != nil {
			return nil, fmt.Errorf("open image store %s: %w", abs, err)
		}
		s.driver = d
	case DriverOverlay2, DriverVFS:
		s.driver = opts.Driver
	default:
		return nil, fmt.Errorf("open image store %s: %w: %q", abs, ErrUnknownDriver, opts.Driver)
	}
	if s.driver == DriverOverlay2 {
		if err := checkOverlayPath(abs); err != nil {
			return nil, fmt.Errorf("open image store %s: %w", abs, err)
		}
	}
	if err := os.MkdirAll(s.driverDir(), 0o700); err != nil {
		return nil, fmt.Errorf("open image store %s: %w", abs, err)
	}
	if err := s.markEarlierLayers(); err != nil {
		return nil, fmt.Errorf("open image store %s: %w", abs, err)
	}
	return s, nil
}

// Driver is the storage driver in use: "overlay2" or "vfs".
func (s *Store) Driver() string { return s.driver }

// Root is the directory the store lives in.
func (s *Store) Root() string { return s.root }

func (s *Store) blobDir() string       { return filepath.Join(s.root, "blobs", "sha256") }
func (s *Store) imagesDir() string     { return filepath.Join(s.root, "images") }
func (s *Store) layersDir() string     { return filepath.Join(s.root, "layers") }
func (s *Store) driverDir() string     { return filepath.Join(s.layersDir(), s.driver) }
func (s *Store) containersDir() string { return filepath.Join(s.root, "containers") }
func (s *Store) tmpDir() string        { return filepath.Join(s.root, "tmp") }
func (s *Store) refsPath() string      { return filepath.Join(s.root, "repositories.json") }
func (s *Store) lockPath() string      { return filepath.Join(s.root, "lock") }

func (s *Store) blobPath(d digest.Digest) string { return filepath.Join(s.blobDir(), d.Encoded()) }
func (s *Store) imagePath(id digest.Digest) string {
	return filepath.Join(s.imagesDir(), id.Encoded()+".json")
}
func (s *Store) layerDir(chain digest.Digest) string {
	return filepath.Join(s.driverDir(), chain.Encoded())
}

// diffDir is the unpacked content of a layer: for overlay2 the layer's own
// changes, for vfs the whole filesystem up to and including the layer.
func (s *Store) diffDir(chain digest.Digest) string {
	return filepath.Join(s.layerDir(chain), "diff")
}

// checkOverlayPath refuses roots whose paths overlay mount options cannot
// carry: ',' separates options and ':' separates lower directories.
func checkOverlayPath(root string) error {
	if strings.ContainsAny(root, ",:") {
		return fmt.Errorf("path %q contains ',' or ':', which overlay mount options cannot carry", root)
	}
	return nil
}

// syncDir makes a directory's entries (a rename, a removal) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

func writeJSONAtomic(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o600)
}

// isHex reports whether s is non-empty lower-case hex.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func ignoreNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

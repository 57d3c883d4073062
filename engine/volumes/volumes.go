// Package volumes keeps berth's volumes as Docker's local driver does:
// named directories under the data root that outlive the containers
// mounting them. It owns the records and the directories; which
// containers use a volume is the engine's to know (it refuses to remove
// one in use).
//
// On disk, under the directory Open is given (<data root>/volumes):
//
//	<name>/volume.json   the Volume record
//	<name>/_data         the content, the Volume's Mountpoint
//	lock                 flock'ed around create and remove
//
// A volume is made whole in a temporary directory and renamed into place,
// and removed by renaming it away first, so a crash never leaves half a
// volume under its name. A volume with options (-o type=tmpfs, -o
// type=none,o=bind,device=/path) has its filesystem mounted on _data on
// the host the first time a container starts with it (mount_linux.go),
// until the volume is removed or the machine restarts.
//
// Start with Store (Open, Create, Get, List, Remove); names.go holds the
// rules for names and options.
package volumes

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"berth/internal/atomicfile"
	"berth/internal/flock"
)

// Sentinel errors; check them with errors.Is.
var (
	ErrNotFound    = errors.New("no such volume")
	ErrInvalidName = errors.New("invalid volume name")
	ErrInvalidOpt  = errors.New("invalid volume option")
	ErrInUse       = errors.New("volume is in use")
)

// LocalDriver is the only driver: a directory of the data root.
const LocalDriver = "local"

// AnonymousLabel marks a volume made for one container (-v /path, an
// image's VOLUME, --mount without a source), as Docker 23 and later do:
// `volume prune` without --all removes only these.
const AnonymousLabel = "com.docker.volume.anonymous"

// Volume is one volume, shaped as `docker volume inspect` prints it.
type Volume struct {
	CreatedAt  string            `json:"CreatedAt"` // RFC 3339, as docker
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
}

// Anonymous reports whether v was made for one container.
func (v *Volume) Anonymous() bool {
	_, ok := v.Labels[AnonymousLabel]
	return ok
}

// CreateOptions is `volume create`'s arguments.
type CreateOptions struct {
	Name    string // "" makes an anonymous volume with a random 64-hex name
	Driver  string // "" or "local"
	Options map[string]string
	Labels  map[string]string
}

// Store is the volumes of one data root. It is safe for concurrent use
// by several processes.
type Store struct{ dir string }

// Open opens (creating) the volume store in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o701); err != nil {
		return nil, fmt.Errorf("open volume store: %w", err)
	}
	s := &Store{dir: dir}
	s.sweep()
	return s, nil
}

func (s *Store) volumeDir(name string) string { return filepath.Join(s.dir, name) }

// Mountpoint is where volume name's content lives on the host.
func (s *Store) Mountpoint(name string) string { return filepath.Join(s.dir, name, "_data") }

func (s *Store) lock() (func(), error) {
	unlock, err := flock.Lock(filepath.Join(s.dir, "lock"))
	if err != nil {
		return nil, fmt.Errorf("lock volume store: %w", err)
	}
	return unlock, nil
}

// Lock holds the store's lock while fn runs, so that nothing creates or
// removes a volume meanwhile (the engine checks a volume unused and
// removes it under it).
func (s *Store) Lock(fn func() error) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// Hold takes the store's lock until the returned function is called: a
// container create holds it from making its volumes to saving its
// record, so that no remove or prune finds them unused meanwhile.
// Inside, volumes are made with CreateLocked.
func (s *Store) Hold() (unlock func(), err error) { return s.lock() }

// CreateLocked is Create for a caller holding the lock (Hold, Lock).
func (s *Store) CreateLocked(opts CreateOptions) (v *Volume, created bool, err error) {
	return s.create(opts)
}

// Create makes a volume, or returns the one of that name already there
// (created false), as docker's local driver does when the driver is the
// same.
func (s *Store) Create(opts CreateOptions) (v *Volume, created bool, err error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	return s.create(opts)
}

func (s *Store) create(opts CreateOptions) (*Volume, bool, error) {
	name := opts.Name
	if name == "" {
		name = randomName()
	}
	if err := CheckName(name); err != nil {
		return nil, false, err
	}
	if opts.Driver != "" && opts.Driver != LocalDriver {
		return nil, false, fmt.Errorf("create %s: error looking up volume plugin %s: plugin %q not found", name, opts.Driver, opts.Driver)
	}
	if err := CheckOptions(opts.Options); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	if v, err := s.get(name); err == nil {
		return v, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	v := &Volume{
		CreatedAt:  time.Now().UTC().Format(time.RFC3339),
		Driver:     LocalDriver,
		Labels:     maps.Clone(opts.Labels),
		Mountpoint: s.Mountpoint(name),
		Name:       name,
		Options:    maps.Clone(opts.Options),
		Scope:      "local",
	}
	data, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(s.dir, ".tmp-create-")
	if err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	err = os.Mkdir(filepath.Join(tmp, "_data"), 0o755)
	if err == nil {
		err = os.Chmod(tmp, 0o701)
	}
	if err == nil {
		err = atomicfile.WriteFile(filepath.Join(tmp, "volume.json"), data, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, s.volumeDir(name))
	}
	if err != nil {
		_ = os.RemoveAll(tmp) // best effort; the create's error is the one to report
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	return v, true, nil
}

// Get returns the volume name.
func (s *Store) Get(name string) (*Volume, error) {
	if err := CheckName(name); err != nil {
		return nil, fmt.Errorf("get %s: %w: %w", name, ErrNotFound, err)
	}
	return s.get(name)
}

func (s *Store) get(name string) (*Volume, error) {
	data, err := os.ReadFile(filepath.Join(s.volumeDir(name), "volume.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	v := new(Volume)
	if err := json.Unmarshal(data, v); err != nil || v.Name != name {
		return nil, fmt.Errorf("get %s: damaged record volume.json", name)
	}
	v.Mountpoint = s.Mountpoint(name) // the data root may have moved
	return v, nil
}

// List returns every volume, by name.
func (s *Store) List() ([]*Volume, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var out []*Volume
	for _, e := range entries {
		if !e.IsDir() || CheckName(e.Name()) != nil {
			continue
		}
		v, err := s.get(e.Name())
		if err != nil {
			continue // removed meanwhile, or a damaged record: not a volume
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Remove deletes volume name and its content; the caller has checked
// that no container uses it (RemoveLocked, inside Lock).
func (s *Store) Remove(name string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return s.RemoveLocked(name)
}

// RemoveLocked is Remove for a caller already inside Lock.
func (s *Store) RemoveLocked(name string) error {
	v, err := s.Get(name)
	if err != nil {
		return fmt.Errorf("remove %s: %w", name, ErrNotFound)
	}
	if err := unmount(v.Mountpoint); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	gone := filepath.Join(s.dir, ".tmp-remove-"+randomName()[:16])
	if err := os.Rename(s.volumeDir(name), gone); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// staleTemp is how old a temporary directory must be before it is taken
// for a dead create's or remove's.
const staleTemp = time.Minute

// sweep removes what a create or remove killed midway left; best effort.
func (s *Store) sweep() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			_ = os.RemoveAll(filepath.Join(s.dir, e.Name())) // best effort, see above
		}
	}
}

// Size is the disk space the content of volume v takes, as `system df
// -v` shows it: the apparent size of its regular files.
func Size(v *Volume) (int64, error) {
	var total int64
	err := filepath.WalkDir(v.Mountpoint, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of volume %s: %w", v.Name, err)
	}
	return total, nil
}

func randomName() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

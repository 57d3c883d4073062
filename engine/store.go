package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"berth/internal/atomicfile"
	"berth/internal/diskspace"
	"berth/internal/flock"
)

// store keeps containers as files, one directory per container:
//
//	<root>/containers/<id>/container.json   the Container record
//	<root>/containers/<id>/lock             flock'ed around read-modify-write
//	<root>/containers/<id>/<id>-json.log    the log
//	<root>/names/<name>                     the owning ID; created O_EXCL, so
//	                                        two creators of one name: one wins
//
// Every write is atomic (temp file, fsync, rename), so a reader never sees
// half a record and a crash leaves the old one; on a full disk it spends
// the data root's reserve of space.
type store struct {
	containers string
	names      string
	reserve    *diskspace.Reserve
}

func openStore(root string, reserve *diskspace.Reserve) (*store, error) {
	s := &store{
		containers: filepath.Join(root, "containers"),
		names:      filepath.Join(root, "names"),
		reserve:    reserve,
	}
	for _, d := range []string{s.containers, s.names} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open container store: %w", err)
		}
	}
	return s, nil
}

func (s *store) dir(id string) string { return filepath.Join(s.containers, id) }

func (s *store) recordPath(id string) string {
	return filepath.Join(s.dir(id), "container.json")
}

// reserveName claims name for id, failing with ErrNameInUse if another
// container holds it.
func (s *store) reserveName(name, id string) error {
	f, err := os.OpenFile(filepath.Join(s.names, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		owner, _ := os.ReadFile(filepath.Join(s.names, name))
		return fmt.Errorf("the container name %q is already in use by container %q: %w",
			"/"+name, strings.TrimSpace(string(owner)), ErrNameInUse)
	}
	if err != nil {
		return fmt.Errorf("reserve name %s: %w", name, err)
	}
	_, err = f.WriteString(id)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("reserve name %s: %w", name, err)
	}
	return nil
}

// releaseName frees name if id holds it.
func (s *store) releaseName(name, id string) {
	p := filepath.Join(s.names, name)
	if owner, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(owner)) == id {
		os.Remove(p)
	}
}

// lock takes the container's exclusive lock; call the returned func to
// release it.
func (s *store) lock(id string) (func(), error) {
	if _, err := os.Stat(s.dir(id)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	unlock, err := flock.Lock(filepath.Join(s.dir(id), "lock"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("lock container %s: %w", id, err)
	}
	return unlock, nil
}

func (s *store) load(id string) (*record, error) {
	b, err := os.ReadFile(s.recordPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	c := new(record)
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	return c, nil
}

func (s *store) save(c *record) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("save container %s: %w", c.ID, err)
	}
	err = s.reserve.Do(func() error { return atomicfile.WriteFile(s.recordPath(c.ID), b, 0o600) })
	if err != nil {
		return fmt.Errorf("save container %s: %w", c.ID, err)
	}
	return nil
}

// ids lists every container directory that holds a record.
func (s *store) ids() ([]string, error) {
	ents, err := os.ReadDir(s.containers)
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	ids := make([]string, 0, len(ents))
	for _, e := range ents {
		if len(e.Name()) == 64 && e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// resolve turns a name, a full ID or a unique ID prefix into an ID, the
// order docker uses.
func (s *store) resolve(ref string) (string, error) {
	ref = strings.TrimPrefix(ref, "/")
	if ref == "" {
		return "", fmt.Errorf("%w: empty name or ID", ErrNotFound)
	}
	if len(ref) == 64 {
		if _, err := os.Stat(s.recordPath(ref)); err == nil {
			return ref, nil
		}
	}
	if owner, err := os.ReadFile(filepath.Join(s.names, filepath.Base(ref))); err == nil && filepath.Base(ref) == ref {
		id := strings.TrimSpace(string(owner))
		if _, err := os.Stat(s.recordPath(id)); err == nil {
			return id, nil
		}
	}
	ids, err := s.ids()
	if err != nil {
		return "", err
	}
	var match string
	for _, id := range ids {
		if strings.HasPrefix(id, ref) {
			if match != "" {
				return "", fmt.Errorf("%w: %s", ErrAmbiguous, ref)
			}
			match = id
		}
	}
	if match == "" {
		return "", fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	return match, nil
}

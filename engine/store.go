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
	"syscall"
	"time"

	"berth/internal/atomicfile"
	"berth/internal/diskspace"
	"berth/internal/flock"
)

// store keeps containers as files, one directory per container:
//
//	<root>/containers/<id>/container.json   the Container record
//	<root>/containers/<id>/lock             flock'ed around read-modify-write
//	<root>/containers/<id>/<id>-json.log    the log
//	<root>/names/<name>                     the owning ID; linked into place
//	                                        whole (link fails if it exists),
//	                                        so two creators of one name: one
//	                                        wins, and one without an ID is
//	                                        damaged
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
	s.sweepNameTemps(time.Now())
	return s, nil
}

// staleNameTemp is how old a temporary file of createName must be before
// it is taken for a dead create's: a live one holds it for microseconds.
const staleNameTemp = time.Minute

// sweepNameTemps removes the temporary files that a create killed inside
// createName left in names/. It is best effort: what it cannot remove now
// the next open removes.
func (s *store) sweepNameTemps(now time.Time) {
	entries, err := os.ReadDir(s.names)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleNameTemp {
			_ = os.Remove(filepath.Join(s.names, e.Name())) // best effort, see above
		}
	}
}

func (s *store) dir(id string) string { return filepath.Join(s.containers, id) }

func (s *store) recordPath(id string) string {
	return filepath.Join(s.dir(id), "container.json")
}

// reserveName claims name for id, failing with ErrNameInUse if another
// container holds it. A reservation that is damaged (it holds no ID) and
// that no container's record claims is taken over, and so is one that a
// create left when it died (see reclaimAbandonedName): discard then
// removes what that create made.
//
// The new reservation stays locked until release is called, which the
// caller does once the container's record is saved (or the create is
// undone): a reservation whose owner has no record and whose lock is
// free belongs to a create that is gone.
func (s *store) reserveName(name, id string, discard func(owner string) error) (release func(), err error) {
	release, err = s.createName(name, id)
	if errors.Is(err, fs.ErrExist) {
		reclaimed, rerr := s.reclaimDamagedName(name)
		if rerr == nil && !reclaimed {
			reclaimed, rerr = s.reclaimAbandonedName(name, discard)
		}
		if rerr != nil {
			return nil, fmt.Errorf("reserve name %s: %w", name, rerr)
		}
		if reclaimed {
			release, err = s.createName(name, id)
		}
	}
	if errors.Is(err, fs.ErrExist) {
		owner, _ := os.ReadFile(filepath.Join(s.names, name))
		return nil, &nameInUseError{name: "/" + name, owner: strings.TrimSpace(string(owner))}
	}
	if err != nil {
		return nil, fmt.Errorf("reserve name %s: %w", name, err)
	}
	return release, nil
}

// createName makes names/<name> holding id, whole or not at all: the ID
// is written to a temporary file first, then linked into place, which
// fails (fs.ErrExist) when the name exists, as O_EXCL does. So a
// reservation that holds no ID is damaged, never half-written. The file
// is locked before it is linked, until release.
func (s *store) createName(name, id string) (release func(), err error) {
	f, err := os.CreateTemp(s.names, ".tmp-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	_, err = f.WriteString(id)
	if err == nil {
		err = flock.LockFile(f)
	}
	if err == nil {
		err = os.Link(f.Name(), filepath.Join(s.names, name))
	}
	if err != nil {
		_ = f.Close() // best effort; err is what failed
		return nil, err
	}
	return func() { _ = f.Close() }, nil // drops the lock; the ID was written above
}

// reclaimAbandonedName removes the reservation of name when its owner has
// no record and no create holds the reservation's lock: the create that
// made it died before it saved the record (killed, or its machine
// crashed). discard(owner) first removes what that create made; an error
// (something of it still runs) keeps the name. It takes names/.lock.
func (s *store) reclaimAbandonedName(name string, discard func(owner string) error) (reclaimed bool, err error) {
	unlock, err := flock.Lock(filepath.Join(s.names, ".lock"))
	if err != nil {
		return false, fmt.Errorf("lock names: %w", err)
	}
	defer unlock()
	p := filepath.Join(s.names, name)
	owner, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil // released meanwhile
	}
	if err != nil {
		return false, err
	}
	id := strings.TrimSpace(string(owner))
	if !isContainerID(id) {
		return false, nil
	}
	if _, err := os.Stat(s.recordPath(id)); !errors.Is(err, fs.ErrNotExist) {
		return false, nil // a container has it (or may: its record cannot be read)
	}
	held, err := flock.Held(p)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil || held {
		return false, err // a create is still making the container
	}
	if err := discard(id); err != nil {
		return false, fmt.Errorf("reclaim name %s from container %s: %w", name, id[:12], err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove abandoned name %s: %w", name, err)
	}
	return true, nil
}

// isContainerID reports whether owner, a reservation's content, is an ID.
func isContainerID(owner string) bool {
	if len(owner) != 64 {
		return false
	}
	for _, c := range owner {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// reclaimDamagedName removes the reservation of name if it holds no ID and
// no readable record has the name; when one has, the reservation is
// repaired to name it. Reclaims take names/.lock, so two of them cannot
// both remove (the second would remove the first one's new reservation).
func (s *store) reclaimDamagedName(name string) (reclaimed bool, err error) {
	unlock, err := flock.Lock(filepath.Join(s.names, ".lock"))
	if err != nil {
		return false, fmt.Errorf("lock names: %w", err)
	}
	defer unlock()
	p := filepath.Join(s.names, name)
	owner, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil // released meanwhile
	}
	if err == nil && isContainerID(strings.TrimSpace(string(owner))) {
		return false, nil
	}
	if id := s.findByName(name); id != "" {
		if err := atomicfile.WriteFile(p, []byte(id), 0o600); err != nil {
			return false, fmt.Errorf("repair name %s: %w", name, err)
		}
		return false, nil
	}
	if err := os.Remove(p); err != nil {
		return false, fmt.Errorf("remove damaged name %s: %w", name, err)
	}
	return true, nil
}

// reclaimStaleName removes the reservation of name when it is damaged
// (see reclaimDamagedName) or, older than age, names a container that does
// not exist or that has another name. It takes names/.lock.
func (s *store) reclaimStaleName(name string, age time.Duration) error {
	p := filepath.Join(s.names, name)
	owner, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || !isContainerID(strings.TrimSpace(string(owner))) {
		_, err := s.reclaimDamagedName(name)
		return err
	}
	unlock, err := flock.Lock(filepath.Join(s.names, ".lock"))
	if err != nil {
		return fmt.Errorf("lock names: %w", err)
	}
	defer unlock()
	again, err := os.ReadFile(p)
	fi, serr := os.Stat(p)
	if err != nil || serr != nil || string(again) != string(owner) || time.Since(fi.ModTime()) < age {
		return nil // changed meanwhile, or too young to judge
	}
	id := strings.TrimSpace(string(owner))
	c, err := s.load(id)
	_, derr := os.Stat(s.dir(id))
	if (errors.Is(err, ErrNotFound) && errors.Is(derr, fs.ErrNotExist)) || (err == nil && c.Name != "/"+name) {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("remove name %s: %w", name, err)
		}
	}
	return nil
}

// findByName looks through every readable record for the container named
// name, for when its reservation is damaged; "" when none has it.
func (s *store) findByName(name string) string {
	ids, err := s.ids()
	if err != nil {
		return ""
	}
	for _, id := range ids {
		if c, err := s.load(id); err == nil && c.Name == "/"+name {
			return id
		}
	}
	return ""
}

// releaseName frees name if id holds it, or if the reservation is
// damaged and no other container has the name.
func (s *store) releaseName(name, id string) {
	if name == "" {
		return
	}
	p := filepath.Join(s.names, name)
	owner, err := os.ReadFile(p)
	if err != nil {
		return
	}
	if o := strings.TrimSpace(string(owner)); o == id {
		_ = os.Remove(p)
	} else if !isContainerID(o) {
		_, _ = s.reclaimDamagedName(name) // a name left damaged is reported by system check
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
	b, err := readFile(s.recordPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if errors.Is(err, syscall.EIO) {
		err = fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	c, err := decodeRecord(id, b)
	if err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	return c, nil
}

// nameOf finds the name reserved for id, for a container whose record
// cannot say it; "" when none is.
func (s *store) nameOf(id string) string {
	ents, err := os.ReadDir(s.names)
	if err != nil {
		return ""
	}
	for _, e := range ents {
		if owner, err := os.ReadFile(filepath.Join(s.names, e.Name())); err == nil && strings.TrimSpace(string(owner)) == id {
			return e.Name()
		}
	}
	return ""
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
		if !isContainerID(id) {
			id = s.findByName(ref) // the reservation is damaged
		}
		if _, err := os.Stat(s.recordPath(id)); id != "" && err == nil {
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

// removeDir removes a container's directory with its record last, so that
// a remove killed half-way leaves a container that is still listed and
// that rm -f (by name too) finishes. Another berth waiting for the
// container's lock (a shim its killed caller started, a ps) may make the
// lock file again while the directory goes: the removal starts over then,
// and once the directory is gone nothing can make it again.
func (s *store) removeDir(id string) error {
	dir, rec := s.dir(id), s.recordPath(id)
	for attempt := 1; ; attempt++ {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, ent := range entries {
			if p := filepath.Join(dir, ent.Name()); p != rec {
				if err := os.RemoveAll(p); err != nil {
					return err
				}
			}
		}
		err = os.RemoveAll(dir)
		if err == nil || !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) || attempt == 10 {
			return err
		}
	}
}

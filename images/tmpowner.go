package images

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Work in progress under tmp/ is named after the process doing it:
// "<owner>-<what>-<random>", where the owner is "<pid namespace>.<pid>.<start
// time>". A process killed mid-way (kill -9 of a pull, load, import or
// build) leaves its files there; the next process that opens the store
// removes every entry whose owner is gone (no process with that PID and
// start time in the same PID namespace). A live process's files are never
// touched, whatever their age; an entry of another PID namespace, or one
// named otherwise, is left to prune, which removes what is older than an
// hour. Build steps' root filesystems (containers/build-<hex>-<owner>) go
// the same way when their build is gone. Partial downloads (partial-<digest>) are kept on purpose: the next
// pull of that blob resumes them with a Range request.

// tmpOwner names the process that made a tmp/ entry.
type tmpOwner struct {
	pidNS uint64 // inode of the PID namespace
	pid   int
	start uint64 // start time in clock ticks since boot, against PID reuse
}

func (o tmpOwner) String() string {
	return fmt.Sprintf("%d.%d.%d", o.pidNS, o.pid, o.start)
}

// parseTmpOwner reads the owner from a tmp/ entry's name; ok is false for
// a name that carries none.
func parseTmpOwner(name string) (o tmpOwner, ok bool) {
	tag, _, found := strings.Cut(name, "-")
	if !found {
		return tmpOwner{}, false
	}
	return parseOwner(tag)
}

// buildStepPrefix starts the container IDs of build steps:
// build-<random hex>-<owner>.
const buildStepPrefix = "build-"

// buildStepID names a build step's container after this process.
func (s *Store) buildStepID() string {
	return buildStepPrefix + randomHex(8) + "-" + s.owner.String()
}

// parseStepOwner reads the owner from a build step's container ID.
func parseStepOwner(id string) (o tmpOwner, ok bool) {
	rest, found := strings.CutPrefix(id, buildStepPrefix)
	if !found {
		return tmpOwner{}, false
	}
	_, tag, found := strings.Cut(rest, "-")
	if !found {
		return tmpOwner{}, false
	}
	return parseOwner(tag)
}

// parseOwner reads "<pid namespace>.<pid>.<start time>".
func parseOwner(tag string) (o tmpOwner, ok bool) {
	f := strings.Split(tag, ".")
	if len(f) != 3 {
		return tmpOwner{}, false
	}
	var err error
	if o.pidNS, err = strconv.ParseUint(f[0], 10, 64); err != nil {
		return tmpOwner{}, false
	}
	if o.pid, err = strconv.Atoi(f[1]); err != nil || o.pid <= 0 {
		return tmpOwner{}, false
	}
	if o.start, err = strconv.ParseUint(f[2], 10, 64); err != nil {
		return tmpOwner{}, false
	}
	return o, true
}

// mkdirTemp makes a directory under tmp/ owned by this process.
func (s *Store) mkdirTemp(what string) (string, error) {
	return os.MkdirTemp(s.tmpDir(), s.owner.String()+"-"+what+"-")
}

// createTemp makes a file under tmp/ owned by this process.
func (s *Store) createTemp(what string) (*os.File, error) {
	return os.CreateTemp(s.tmpDir(), s.owner.String()+"-"+what+"-")
}

// tmpName is a fixed name under tmp/ owned by this process.
func (s *Store) tmpName(what string) string {
	return filepath.Join(s.tmpDir(), s.owner.String()+"-"+what)
}

// orphaned reports whether o is a process of this PID namespace that is
// gone.
func (s *Store) orphaned(o tmpOwner, ok bool) bool {
	return ok && o.pidNS == s.owner.pidNS && !processAlive(o)
}

// removeOrphanedTmp removes the tmp/ entries of processes that are gone,
// and the root filesystems of build steps whose build is gone.
func (s *Store) removeOrphanedTmp() error {
	entries, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return fmt.Errorf("remove leftovers of killed work: %w", err)
	}
	for _, e := range entries {
		if !s.orphaned(parseTmpOwner(e.Name())) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.tmpDir(), e.Name())); err != nil {
			return fmt.Errorf("remove leftovers of killed work: %w", err)
		}
	}
	steps, err := os.ReadDir(s.containersDir())
	if err != nil {
		return fmt.Errorf("remove leftovers of killed builds: %w", err)
	}
	for _, e := range steps {
		if !s.orphaned(parseStepOwner(e.Name())) {
			continue
		}
		if s.release != nil {
			if err := s.release(e.Name()); err != nil {
				return fmt.Errorf("remove leftovers of killed build: %w", err)
			}
		}
		// Renamed first, so that no half-removed rootfs is ever seen.
		trash := s.tmpName("removing-" + e.Name())
		if err := os.Rename(filepath.Join(s.containersDir(), e.Name()), trash); err != nil {
			return fmt.Errorf("remove leftovers of killed build: %w", err)
		}
		if err := os.RemoveAll(trash); err != nil {
			return fmt.Errorf("remove leftovers of killed build: %w", err)
		}
	}
	return nil
}

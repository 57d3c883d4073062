package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"berth/engine/events"
	"berth/internal/atomicfile"
)

// A brief list of every container (ListOptions.Brief without IDs: what
// ps, the Docker API's container list and the full-screen program ask
// for) costs what changed since the last one, not what exists: the
// last list is kept in a snapshot, stamped with where the events ended
// when that list began, and the next list reads the events since and
// again only the containers they name (ChangedBy, PatchList). The
// rules that make that true:
//
//   - Every change to what a brief record holds is saved before an
//     event naming the container is appended (a list between the two
//     reads the new record, or the event after its stamp), with two
//     exceptions a list checks itself: a shim that dies (the liveness
//     check of every active container, shimDied), and a healthcheck's
//     failing streak, which changes with each probe and has no event of
//     its own (an active container with a healthcheck is read again
//     each time, from the record cache when its file did not change).
//   - The stamp is taken before the records are read, and the events
//     since are read before the records they name.
//   - Anything doubtful lists every container: no snapshot, one that
//     does not decode whole, of another version, or events lost since
//     its stamp (events.ErrLost). A list that found a damaged record
//     writes none, so the next list reads it again; an event that could
//     not be appended removes the snapshot (dropListSnapshot).
//   - A snapshot descends from a list of every container at most
//     listSnapshotMaxAge old: a change whose event never came (the
//     process that saved it killed before it appended the event, a
//     record damaged on disk, an older berth) is listed within that
//     time, as the full-screen program's list of every container every
//     30 s did before.
//
// The snapshot is a cache: written atomically but not synced, in the
// data root, one JSON line of header (listSnapshotHeader) and one per
// brief record (snapshotRecord: only what briefOf keeps, a few hundred
// bytes). Reading it is most of what a list costs, so its lines are
// decoded on every CPU, and written again as they were read but for
// the records that changed. A long-lived process (the full-screen
// program, the API server) also keeps the last one in memory while the
// file is the one it read or wrote, so its unchanged records are the
// same values from list to list.

// listSnapshotName is the snapshot's file in the data root.
const listSnapshotName = "containers.list"

// listSnapshotVersion is the snapshot's format; a snapshot of another
// is not read. Raise it when briefOf keeps more or other fields.
const listSnapshotVersion = 1

// listSnapshotMaxAge is how long a snapshot is followed by the events
// after the list of every container it descends from.
const listSnapshotMaxAge = 30 * time.Second

// rewriteAfterEvents is how many events past its stamp have a snapshot
// written again even though none changed a container (image pulls,
// execs), so that the next list does not read them again.
const rewriteAfterEvents = 256

// listSnapshotHeader is a snapshot's first line.
type listSnapshotHeader struct {
	Version int             `json:"version"`
	Events  events.Position `json:"events"` // where the events ended when the list began
	Full    time.Time       `json:"full"`   // when the list of every container it descends from began
	Count   int             `json:"count"`  // the record lines that follow
}

// listSnapshot is a list of every container's brief record, true as of
// pos.
type listSnapshot struct {
	pos  events.Position
	full time.Time // when the list of every container it descends from began
	recs []*record
	// lines are the snapshot lines of records as read or written, so
	// that a snapshot written again encodes only what changed.
	lines map[*record][]byte
}

var errBadSnapshot = errors.New("bad list snapshot")

// encodeListSnapshot is s in the snapshot's format.
func encodeListSnapshot(s listSnapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(listSnapshotHeader{Version: listSnapshotVersion, Events: s.pos, Full: s.full, Count: len(s.recs)}); err != nil {
		return nil, err
	}
	for _, c := range s.recs {
		if line, ok := s.lines[c]; ok {
			buf.Write(line)
			continue
		}
		if err := enc.Encode(toSnapshotRecord(c)); err != nil {
			return nil, fmt.Errorf("encode container %s: %w", c.ID, err)
		}
	}
	return buf.Bytes(), nil
}

// decodeListSnapshot reads a snapshot: errBadSnapshot unless it is
// whole (every line a record, as many as the header counts, the last
// ended) and of this version.
func decodeListSnapshot(data []byte) (listSnapshot, error) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return listSnapshot{}, fmt.Errorf("%w: cut short", errBadSnapshot)
	}
	lines := bytes.SplitAfter(data, []byte{'\n'}) // each with its newline
	lines = lines[:len(lines)-1]                  // the empty one after the last
	var h listSnapshotHeader
	if err := json.Unmarshal(lines[0], &h); err != nil {
		return listSnapshot{}, fmt.Errorf("%w: header: %w", errBadSnapshot, err)
	}
	if h.Version != listSnapshotVersion {
		return listSnapshot{}, fmt.Errorf("%w: version %d, want %d", errBadSnapshot, h.Version, listSnapshotVersion)
	}
	if h.Count != len(lines)-1 {
		return listSnapshot{}, fmt.Errorf("%w: %d records, the header says %d", errBadSnapshot, len(lines)-1, h.Count)
	}
	s := listSnapshot{pos: h.Events, full: h.Full, recs: make([]*record, h.Count)}
	lines = lines[1:]
	errs := make([]error, len(lines))
	decode := func(i int) {
		var r snapshotRecord
		if err := json.Unmarshal(lines[i], &r); err != nil {
			errs[i] = fmt.Errorf("%w: %w", errBadSnapshot, err)
			return
		}
		c := r.record()
		if !isFullID(c.ID) || !c.State.Status.Valid() {
			errs[i] = fmt.Errorf("%w: a record of %q, status %q", errBadSnapshot, c.ID, c.State.Status)
			return
		}
		s.recs[i] = c
	}
	// As loadAll: decoding is most of what a list from a snapshot costs,
	// one line independent of the others.
	forEachOnCPUs(len(lines), decode)
	if err := errors.Join(errs...); err != nil {
		return listSnapshot{}, err
	}
	s.lines = make(map[*record][]byte, len(lines))
	for i, c := range s.recs {
		s.lines[c] = lines[i]
	}
	return s, nil
}

// namedBy is the containers evs may have changed (ChangedBy), sorted.
func namedBy(evs []events.Event) []string {
	var ids []string
	for _, ev := range evs {
		if id := ChangedBy(ev); id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// patchSnapshot is s after the containers ids were read again as fresh
// (PatchList), true as of pos.
func patchSnapshot(s listSnapshot, ids []string, fresh []*record, pos events.Position) listSnapshot {
	byID := make(map[string]*record, len(s.recs)+len(fresh))
	list := make([]*Container, 0, len(s.recs))
	for _, c := range s.recs {
		byID[c.ID] = c
		list = append(list, &c.Container)
	}
	freshList := make([]*Container, 0, len(fresh))
	for _, c := range fresh {
		byID[c.ID] = c
		freshList = append(freshList, &c.Container)
	}
	patched := PatchList(list, ids, freshList)
	out := listSnapshot{pos: pos, full: s.full, recs: make([]*record, len(patched)), lines: make(map[*record][]byte, len(patched))}
	for i, c := range patched {
		out.recs[i] = byID[c.ID]
		if line, ok := s.lines[out.recs[i]]; ok {
			out.lines[out.recs[i]] = line
		}
	}
	return out
}

func (e *Engine) listSnapshotPath() string { return filepath.Join(e.opts.Root, listSnapshotName) }

// briefListAll is the brief record of every container, from the last
// snapshot and what changed since (see above).
func (e *Engine) briefListAll() ([]*record, error) {
	e.snapMu.Lock()
	defer e.snapMu.Unlock()
	path := e.listSnapshotPath()
	file, err := identify(path)
	if err != nil || file != e.snapFile {
		e.snap = nil // another process wrote one since, or dropped it
	}
	base, ok := e.snap, e.snap != nil
	if !ok {
		base = &listSnapshot{}
	}
	if !ok && err == nil {
		if data, err := os.ReadFile(path); err == nil {
			if s, err := decodeListSnapshot(data); err == nil {
				base, ok = &s, true
			}
		}
	}
	if age := time.Since(base.full); ok && age >= 0 && age < listSnapshotMaxAge {
		if evs, end, err := e.events.Since(base.pos); err == nil {
			return e.patchedList(*base, evs, end, file)
		}
	}
	return e.fullBriefList()
}

// patchedList is base after evs, which end at end.
func (e *Engine) patchedList(base listSnapshot, evs []events.Event, end events.Position, file fileIdentity) ([]*record, error) {
	ids := namedBy(evs)
	s := base
	if len(ids) > 0 {
		fresh, damaged, err := e.loadBrief(ids)
		if err != nil {
			return nil, err
		}
		s = patchSnapshot(base, ids, fresh, end)
		if damaged {
			e.snap = nil
			return e.withHealthRead(s.recs)
		}
	}
	if len(ids) > 0 || len(evs) >= rewriteAfterEvents {
		s.pos = end
		e.keepSnapshot(s)
	} else if e.snap == nil {
		e.remember(s, file) // as read from the file: no need to write it again
	}
	return e.withHealthRead(s.recs)
}

// fullBriefList reads every container's brief record and keeps them as
// the snapshot, stamped before the first was read.
func (e *Engine) fullBriefList() ([]*record, error) {
	e.snap = nil
	full := time.Now()
	pos, perr := e.events.Position()
	ids, err := e.store.ids()
	if err != nil {
		return nil, err
	}
	recs, damaged, err := e.loadBrief(ids)
	if err != nil {
		return nil, err
	}
	if perr == nil && !damaged {
		e.keepSnapshot(listSnapshot{pos: pos, full: full, recs: recs})
	}
	return recs, nil
}

// loadBrief reads the brief records of ids, leaving out those removed
// meanwhile; damaged says one could not be read and stands in dead.
func (e *Engine) loadBrief(ids []string) (recs []*record, damaged bool, err error) {
	recs = make([]*record, 0, len(ids))
	for _, l := range e.loadAll(ids, true) {
		switch {
		case errors.Is(l.err, ErrNotFound):
			continue
		case l.err != nil:
			return nil, false, l.err
		}
		damaged = damaged || l.damaged
		recs = append(recs, l.c)
	}
	return recs, damaged, nil
}

// keepSnapshot keeps s in memory and writes it. A failed write is
// dropped: the snapshot is a cache, and the next process lists every
// container.
func (e *Engine) keepSnapshot(s listSnapshot) {
	e.snap = nil
	data, err := encodeListSnapshot(s)
	if err != nil {
		return
	}
	path := e.listSnapshotPath()
	if atomicfile.ReplaceUnsynced(path, data, 0o600) != nil {
		return // a cache; see above
	}
	if file, err := identify(path); err == nil {
		e.remember(s, file)
	}
}

// remember keeps s, which file holds, in memory for the next list,
// without its lines: a long-lived process keeps its records and not
// their encoding too.
func (e *Engine) remember(s listSnapshot, file fileIdentity) {
	s.lines = nil
	e.snap, e.snapFile = &s, file
}

// fileIdentity tells a snapshot file from the one written before it:
// each is a new file renamed into place.
type fileIdentity struct {
	ino   uint64
	size  int64
	mtime int64
}

func identify(path string) (fileIdentity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileIdentity{}, err
	}
	id := fileIdentity{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ino = st.Ino
	}
	return id, nil
}

// withHealthRead is recs with the record of every active container
// with a healthcheck read again (through the record cache): its failing
// streak changes with each probe, and no event tells.
func (e *Engine) withHealthRead(recs []*record) ([]*record, error) {
	out := recs
	copied := false
	for i, c := range recs {
		if c.State.Health == nil || !active(c) {
			continue
		}
		if !copied {
			out, copied = slices.Clone(recs), true
		}
		fresh, err := e.loadOrDead(c.ID, func(id string) (*record, error) { return e.loadCached(id, briefRecord) })
		switch {
		case errors.Is(err, ErrNotFound):
			out[i] = nil
		case err != nil:
			return nil, err
		default:
			out[i] = fresh
		}
	}
	if copied {
		out = slices.DeleteFunc(out, func(c *record) bool { return c == nil })
	}
	return out, nil
}

// dropListSnapshot removes the snapshot after an event could not be
// appended (a full disk): the change it told of would be missed. A
// long-lived process's snapshot in memory goes with the file. A failure
// to remove is dropped: there is nowhere left to tell.
func dropListSnapshot(root string) {
	_ = os.Remove(filepath.Join(root, listSnapshotName))
}

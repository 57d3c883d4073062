package engine

import (
	"context"
	"errors"
	"os"
	"slices"
	"sort"
	"syscall"

	"berth/internal/filters"
)

// List returns containers, newest first: running ones, or all with
// opts.All, narrowed by docker's ps filters (filter.go). A brief list of
// every container reads what changed since the last (listsnapshot.go).
func (e *Engine) List(ctx context.Context, opts ListOptions) ([]*Container, error) {
	if opts.IDs != nil && len(opts.Filters) > 0 {
		return nil, invalidf("a list of given IDs takes no filters")
	}
	filter, err := e.newContainerFilter(filters.Args(opts.Filters))
	if err != nil {
		return nil, err
	}
	recs, err := e.listRecords(opts)
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(recs))
	for _, c := range recs {
		if e.shimDied(c) {
			if c, err = e.reconcile(c.ID); err != nil {
				continue
			}
			if opts.Brief {
				c = briefOf(c)
			}
		}
		if !opts.All && opts.IDs == nil && !c.State.Running() && len(opts.Filters["status"]) == 0 {
			continue
		}
		if filter.match(&c.Container) {
			out = append(out, &c.Container)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// listRecords is the records a list reads, in no order: those of
// opts.IDs, or every container's (brief ones from the snapshot).
func (e *Engine) listRecords(opts ListOptions) ([]*record, error) {
	if opts.Brief && opts.IDs == nil && !e.opts.NoListSnapshot {
		return e.briefListAll()
	}
	ids, err := e.listedIDs(opts.IDs)
	if err != nil {
		return nil, err
	}
	recs := make([]*record, 0, len(ids))
	for _, l := range e.loadAll(ids, opts.Brief) {
		switch {
		case errors.Is(l.err, ErrNotFound):
			continue // removed while we listed
		case l.err != nil:
			return nil, l.err
		}
		recs = append(recs, l.c)
	}
	return recs, nil
}

// listedIDs is the containers a list reads: every one in the store, or
// those of given (nil: every one) that are full IDs, once each.
func (e *Engine) listedIDs(given []string) ([]string, error) {
	if given == nil {
		return e.store.ids()
	}
	ids := make([]string, 0, len(given))
	for _, id := range given {
		if isFullID(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// isFullID says id is a container's full ID: 64 lower-case hex digits
// (and so a plain name in the store's directories).
func isFullID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

type cachedRecord struct {
	ino   uint64
	size  int64
	mtime int64
	rec   *record
	brief bool // rec is briefOf the record
}

// recordForm is what loadCached hands out.
type recordForm int

const (
	// wholeRecord is a copy of the whole record, the caller's to keep.
	wholeRecord recordForm = iota
	// briefRecord is briefOf the record, the cache's own: the caller
	// changes nothing of it. A whole record in the cache gives way to
	// its brief one (a TUI that ran a compose command, which lists
	// whole records, goes back to keeping brief ones).
	briefRecord
	// anyRecord is whichever the cache holds (a brief one when it holds
	// none), for a reader of no more than briefOf keeps that changes
	// nothing (Stats): it neither decodes again nor displaces a whole
	// record a server lists.
	anyRecord
)

// loadCached loads a record in the form asked for, decoding it only
// when its file changed since this Engine last read it (a long-lived
// process lists the same containers again and again: a TUI every 30 s
// and those its host's events name, host.ListWatch).
func (e *Engine) loadCached(id string, form recordForm) (*record, error) {
	fi, err := os.Stat(e.store.recordPath(id))
	if err != nil {
		return e.store.load(id)
	}
	key := cachedRecord{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		key.ino = st.Ino
	}
	e.recMu.Lock()
	cached, ok := e.records[id]
	e.recMu.Unlock()
	var c *record
	switch fresh := ok && cached.ino == key.ino && cached.size == key.size && cached.mtime == key.mtime; {
	case fresh && cached.brief && form != wholeRecord:
		return cached.rec, nil
	case fresh && !cached.brief && form != briefRecord:
		cp := *cached.rec
		return &cp, nil
	case fresh && !cached.brief: // a brief record asked of a whole one
		c = cached.rec
	default:
		if c, err = e.store.load(id); err != nil {
			return nil, err
		}
	}
	brief := form != wholeRecord
	if brief {
		c = briefOf(c)
	}
	key.rec, key.brief = c, brief
	e.recMu.Lock()
	if e.records == nil || len(e.records) >= maxCachedRecords {
		e.records = make(map[string]cachedRecord) // forget removed containers' too
	}
	e.records[id] = key
	e.recMu.Unlock()
	if brief {
		return c, nil
	}
	cp := *c
	return &cp, nil
}

// maxCachedRecords bounds the record cache of a long-lived process.
const maxCachedRecords = 4096

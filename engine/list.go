package engine

import (
	"context"
	"errors"
	"os"
	"sort"
	"syscall"

	"berth/internal/filters"
)

// List returns containers, newest first: running ones, or all with
// opts.All, narrowed by docker's ps filters (filter.go).
func (e *Engine) List(ctx context.Context, opts ListOptions) ([]*Container, error) {
	if opts.Brief && (len(opts.Filters) > 0 || opts.Size) {
		return nil, invalidf("a brief list takes no filters and no sizes")
	}
	filter, err := e.newContainerFilter(filters.Args(opts.Filters))
	if err != nil {
		return nil, err
	}
	ids, err := e.store.ids()
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(ids))
	for i, l := range e.loadAll(ids, opts.Brief) {
		id, c, err := ids[i], l.c, l.err
		if errors.Is(err, ErrNotFound) {
			continue // removed while we listed
		}
		if err != nil {
			return nil, err
		}
		if e.shimDied(c) {
			if c, err = e.reconcile(id); err != nil {
				continue
			}
		}
		if !opts.All && !c.State.Running() && len(opts.Filters["status"]) == 0 {
			continue
		}
		if filter.match(&c.Container) {
			out = append(out, &c.Container)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

type cachedRecord struct {
	ino   uint64
	size  int64
	mtime int64
	rec   *record
	brief bool // rec is briefOf the record
}

// loadCached loads a record, decoding it only when its file changed
// since this Engine last read it (a TUI lists every container each
// second). It returns a copy the caller may keep, or with brief (the
// caller reads no more than briefOf keeps, and changes nothing) the
// cache's own: a process that asks only for brief records caches only
// those, one that asks for whole ones caches those and serves them for
// both.
func (e *Engine) loadCached(id string, brief bool) (*record, error) {
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
	if ok && cached.ino == key.ino && cached.size == key.size && cached.mtime == key.mtime && (brief || !cached.brief) {
		if cached.brief {
			return cached.rec, nil
		}
		c := *cached.rec
		return &c, nil
	}
	c, err := e.store.load(id)
	if err != nil {
		return nil, err
	}
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

package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// List returns containers, newest first: running ones, or all with
// opts.All, narrowed by docker's ps filters.
func (e *Engine) List(ctx context.Context, opts ListOptions) ([]*Container, error) {
	match, err := e.filter(opts.Filters)
	if err != nil {
		return nil, err
	}
	ids, err := e.store.ids()
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(ids))
	for _, id := range ids {
		c, err := e.loadOrDead(id, e.loadCached)
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
		if match(c) {
			out = append(out, &c.Container)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// filter builds the predicate of docker's ps filters; every key must hold,
// and any one value of a key suffices.
func (e *Engine) filter(filters map[string][]string) (func(*record) bool, error) {
	var preds []func(*record) bool
	for key, values := range filters {
		if len(values) == 0 {
			continue
		}
		var one func(c *record, v string) bool
		switch key {
		case "id":
			one = func(c *record, v string) bool { return strings.HasPrefix(c.ID, v) }
		case "name":
			one = func(c *record, v string) bool {
				return strings.Contains(c.DisplayName(), strings.TrimPrefix(v, "/"))
			}
		case "label":
			one = func(c *record, v string) bool {
				k, val, hasVal := strings.Cut(v, "=")
				got, ok := c.Config.Labels[k]
				return ok && (!hasVal || got == val)
			}
		case "status":
			for _, v := range values {
				if !Status(v).Valid() {
					return nil, invalidf("invalid filter 'status=%s'", v)
				}
			}
			one = func(c *record, v string) bool { return c.State.Status == Status(v) }
		case "exited":
			for _, v := range values {
				if _, err := strconv.Atoi(v); err != nil {
					return nil, invalidf("invalid filter 'exited=%s'", v)
				}
			}
			one = func(c *record, v string) bool {
				n, _ := strconv.Atoi(v)
				return c.State.Status == StatusExited && c.State.ExitCode == n
			}
		case "ancestor":
			one = func(c *record, v string) bool {
				if c.Config.Image == v || strings.HasPrefix(strings.TrimPrefix(c.Image, "sha256:"), strings.TrimPrefix(v, "sha256:")) {
					return true
				}
				img, err := e.images.Lookup(v)
				return err == nil && "sha256:"+img.ID == c.Image
			}
		case "volume":
			one = mountsVolume
		case "before", "since":
			ref, err := e.get(values[0])
			if err != nil {
				return nil, fmt.Errorf("filter %s: %w", key, err)
			}
			t, before := ref.Created, key == "before"
			preds = append(preds, func(c *record) bool {
				if before {
					return c.Created.Before(t)
				}
				return c.Created.After(t)
			})
			continue
		default:
			return nil, invalidf("invalid filter '%s'", key)
		}
		values := values
		preds = append(preds, func(c *record) bool {
			for _, v := range values {
				if one(c, v) {
					return true
				}
			}
			return false
		})
	}
	return func(c *record) bool {
		for _, p := range preds {
			if !p(c) {
				return false
			}
		}
		return true
	}, nil
}

type cachedRecord struct {
	ino   uint64
	size  int64
	mtime int64
	rec   *record
}

// loadCached loads a record, decoding it only when its file changed
// since this Engine last read it (a TUI lists every container each
// second). It returns a copy the caller may keep.
func (e *Engine) loadCached(id string) (*record, error) {
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
	if ok && cached.ino == key.ino && cached.size == key.size && cached.mtime == key.mtime {
		c := *cached.rec
		return &c, nil
	}
	c, err := e.store.load(id)
	if err != nil {
		return nil, err
	}
	key.rec = c
	e.recMu.Lock()
	if e.records == nil || len(e.records) >= maxCachedRecords {
		e.records = make(map[string]cachedRecord) // forget removed containers' too
	}
	e.records[id] = key
	e.recMu.Unlock()
	cp := *c
	return &cp, nil
}

// maxCachedRecords bounds the record cache of a long-lived process.
const maxCachedRecords = 4096

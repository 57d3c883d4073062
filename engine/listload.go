package engine

import (
	"errors"
	"runtime"
	"sync"
)

// loaded is one record as List reads it.
type loaded struct {
	c       *record
	err     error
	damaged bool // c stands in dead for a record that could not be read
}

// loadAll reads the records of ids (as loadOrDead over loadCached, brief
// or whole) on as many goroutines as there are CPUs: a list of 500
// containers spends most of its time decoding JSON, one record
// independent of the others.
func (e *Engine) loadAll(ids []string, brief bool) []loaded {
	form := wholeRecord
	if brief {
		form = briefRecord
	}
	out := make([]loaded, len(ids))
	load := func(i int) {
		c, err := e.loadCached(ids[i], form)
		if errors.Is(err, ErrDamaged) {
			out[i] = loaded{c: e.deadRecord(ids[i], err), damaged: true}
			return
		}
		out[i] = loaded{c: c, err: err}
	}
	workers := min(runtime.GOMAXPROCS(0), len(ids)/minPerWorker+1)
	if workers <= 1 {
		for i := range ids {
			load(i)
		}
		return out
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ids); i += workers {
				load(i)
			}
		})
	}
	wg.Wait()
	return out
}

// minPerWorker is how many records make a goroutine worth starting.
const minPerWorker = 32

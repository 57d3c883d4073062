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
	forEachOnCPUs(len(ids), load)
	return out
}

// forEachOnCPUs calls fn for each of 0..n-1, on as many goroutines as
// there are CPUs when n is large enough to be worth them: for work on
// records (decoding JSON) one independent of the others.
func forEachOnCPUs(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/minPerWorker+1)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// minPerWorker is how many records make a goroutine worth starting.
const minPerWorker = 32

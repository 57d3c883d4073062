package engine

import (
	"runtime"
	"sync"
)

// loaded is one record as List reads it.
type loaded struct {
	c   *record
	err error
}

// loadAll reads the records of ids (loadOrDead over loadCached, brief
// or whole) on as many goroutines as there are CPUs: a list of 500
// containers spends most of its time decoding JSON, one record
// independent of the others.
func (e *Engine) loadAll(ids []string, brief bool) []loaded {
	form := wholeRecord
	if brief {
		form = briefRecord
	}
	load := func(id string) (*record, error) { return e.loadCached(id, form) }
	out := make([]loaded, len(ids))
	workers := min(runtime.GOMAXPROCS(0), len(ids)/minPerWorker+1)
	if workers <= 1 {
		for i, id := range ids {
			out[i].c, out[i].err = e.loadOrDead(id, load)
		}
		return out
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ids); i += workers {
				out[i].c, out[i].err = e.loadOrDead(ids[i], load)
			}
		})
	}
	wg.Wait()
	return out
}

// minPerWorker is how many records make a goroutine worth starting.
const minPerWorker = 32

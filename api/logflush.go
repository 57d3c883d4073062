package api

import (
	"io"
	"sync"
	"time"
)

// logFlushDelay bounds how long a log line waits in a logs answer's
// buffer: a follower's lines reach the client this soon.
const logFlushDelay = 20 * time.Millisecond

// logFlushSize is how much of a logs answer is gathered before it is sent.
const logFlushSize = 64 << 10

// delayedFlusher buffers a logs answer: it writes and flushes when 64 KiB
// have gathered, logFlushDelay after the first byte began waiting, or on
// Close. Flushing each frame made a read of a long log a write(2) and an
// HTTP chunk per line; the bytes the client reads, frames included, are
// the same.
type delayedFlusher struct {
	w     io.Writer
	flush func() error

	mu     sync.Mutex
	buf    []byte
	timer  *time.Timer // armed while buf holds something
	err    error       // the first write or flush that failed
	closed bool
}

func newDelayedFlusher(w io.Writer, flush func() error) *delayedFlusher {
	f := &delayedFlusher{w: w, flush: flush, buf: make([]byte, 0, logFlushSize)}
	f.timer = time.AfterFunc(time.Hour, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.closed {
			f.flushLocked()
		}
	})
	f.timer.Stop()
	return f
}

func (f *delayedFlusher) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil && len(f.buf)+len(p) > cap(f.buf) {
		f.flushLocked()
	}
	if f.err != nil {
		return 0, f.err
	}
	if len(f.buf) == 0 {
		f.timer.Reset(logFlushDelay)
	}
	f.buf = append(f.buf, p...)
	return len(p), nil
}

// Close sends what is left and reports the first write that failed; the
// answer's writer is not touched after it returns.
func (f *delayedFlusher) Close() error {
	f.timer.Stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushLocked()
	f.closed = true
	return f.err
}

func (f *delayedFlusher) flushLocked() {
	if len(f.buf) == 0 || f.err != nil {
		return
	}
	f.timer.Stop()
	if _, f.err = f.w.Write(f.buf); f.err == nil {
		f.err = f.flush()
	}
	f.buf = f.buf[:0]
}

package cli

import (
	"io"
	"sync"
	"time"

	"berth/engine"
)

// logFlushDelay bounds how long a line `berth logs` has read waits in
// its buffer: a follower's lines reach the terminal this soon.
const logFlushDelay = 20 * time.Millisecond

// logFlushSize is how much logOutput gathers before it writes.
const logFlushSize = 64 << 10

// logOutput prints log entries as `docker logs` does, stdout's to stdout
// and stderr's to stderr, buffered: a 500 MiB log costs a write per
// 64 KiB, not one per line. Entries keep their order across the two
// streams (a change of stream writes what the other gathered first).
// While following, none waits longer than logFlushDelay, so following
// stays live whatever the host behind it; a read that does not follow
// ends with close, so it needs no timer, nor the lock a timer's flush
// takes (a lock a line was a third of the cost of printing a log).
type logOutput struct {
	stdout, stderr io.Writer
	timestamps     bool

	mu     sync.Mutex // held by write and the timer's flush, when following
	buf    []byte
	to     io.Writer   // where buf goes
	timer  *time.Timer // while following: armed while buf holds something
	err    error       // the first write that failed
	lastAt time.Time   // the time stamped last, formatted in lastTS
	lastTS []byte
}

// newLogOutput returns the output of a read; follow says the read goes
// on as the log grows.
func newLogOutput(stdout, stderr io.Writer, timestamps, follow bool) *logOutput {
	o := &logOutput{stdout: stdout, stderr: stderr, timestamps: timestamps, buf: make([]byte, 0, logFlushSize)}
	if follow {
		o.timer = time.AfterFunc(time.Hour, func() {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.flushLocked()
		})
		o.timer.Stop()
	}
	return o
}

// write buffers one entry.
func (o *logOutput) write(e engine.LogEntry) error {
	if o.timer == nil {
		return o.add(e)
	}
	o.mu.Lock()
	err := o.add(e)
	o.mu.Unlock()
	return err
}

// add buffers one entry, under mu when following.
func (o *logOutput) add(e engine.LogEntry) error {
	w := o.stdout
	if e.Stream == "stderr" {
		w = o.stderr
	}
	if o.err != nil {
		return o.err
	}
	if w != o.to || len(o.buf)+len(e.Line)+len(timestampFormat)+1 > cap(o.buf) {
		if o.flushLocked(); o.err != nil {
			return o.err
		}
		o.to = w
		if !o.timestamps && len(e.Line) >= cap(o.buf) {
			// Lines joined by the read, more than the buffer holds:
			// written as they are, with no copy.
			_, o.err = w.Write(e.Line)
			return o.err
		}
	}
	if len(o.buf) == 0 && o.timer != nil {
		o.timer.Reset(logFlushDelay)
	}
	if o.timestamps {
		if len(o.lastTS) == 0 || !e.Time.Equal(o.lastAt) || e.Time.Location() != o.lastAt.Location() {
			o.lastAt, o.lastTS = e.Time, append(e.Time.AppendFormat(o.lastTS[:0], timestampFormat), ' ')
		}
		o.buf = append(o.buf, o.lastTS...)
	}
	o.buf = append(o.buf, e.Line...)
	return nil
}

// close writes what is left and reports the first write that failed.
func (o *logOutput) close() error {
	if o.timer != nil {
		o.timer.Stop()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	return o.err
}

func (o *logOutput) flushLocked() {
	if len(o.buf) == 0 {
		return
	}
	if o.timer != nil {
		o.timer.Stop()
	}
	if o.err == nil {
		_, o.err = o.to.Write(o.buf)
	}
	o.buf = o.buf[:0]
}

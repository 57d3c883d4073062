package jsonlog

import (
	"context"
	"path/filepath"
	"time"
)

// pacing is how a follower spaces its reads.
type pacing struct {
	// batch is how long a follower rests after a read that found lines,
	// so that what is written meanwhile is read together: a steady log
	// costs one wake-up and one read per batch, not one per line. A line
	// written after a quiet spell is read at once.
	batch time.Duration
	// poll is how often a follower looks for changes without inotify;
	// guard is how often it looks with inotify, only against a change
	// it was not told about.
	poll, guard time.Duration
	// after is the clock of the rest (time.After; tests replace it).
	after func(time.Duration) <-chan time.Time
}

// defaultPacing rests half a TUI frame between reads of a steady log
// (its lines appear at most 50 ms late) and polls without inotify four
// times a second.
func defaultPacing() pacing {
	return pacing{batch: 50 * time.Millisecond, poll: 250 * time.Millisecond, guard: time.Second, after: time.After}
}

// follow reads the live file as it grows. When the path names a new file
// (rotation), it finishes the old one and moves to the next newer file;
// when the file shrank (truncation with max-file 1), it starts over.
// Between reads it sleeps until its directory reports a change (or a
// poll is due); after a read that found lines (the backlog's too) it
// first rests for the pacing's batch.
func (r *reader) follow(ctx context.Context) error {
	w := watchDir(filepath.Dir(r.path))
	if watch := w; watch != nil {
		defer watch.close()
		// The end of ctx or of the writer wakes a follower waiting on it.
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-ctx.Done():
			case <-r.opts.Done:
			case <-stop:
			}
			watch.close()
		}()
	}
	rested := 0 // lines read when the follower last rested; the backlog counts
	for ctx.Err() == nil {
		finished := isClosed(r.opts.Done)
		if err := r.catchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if finished {
			return nil
		}
		if r.lines != rested {
			rested = r.lines
			r.sleep(ctx, r.pace.batch)
		}
		w = r.waitChange(ctx, w)
	}
	return nil
}

// waitChange blocks until the log may have changed: its directory
// reports a change, a poll is due, or ctx or the writer ends. It returns
// the watch to use next, nil once there is none (inotify failed).
func (r *reader) waitChange(ctx context.Context, w *dirWatch) *dirWatch {
	if w != nil {
		err := w.wait(time.Now().Add(r.pace.guard))
		if err == nil || ctx.Err() != nil || isClosed(r.opts.Done) {
			return w
		}
		w.close() // broken: poll from now on
	}
	r.sleep(ctx, r.pace.poll)
	return nil
}

// sleep waits d, or less if ctx or the writer ends.
func (r *reader) sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-r.opts.Done:
	case <-r.pace.after(d):
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// catchUp reads everything written so far, following rotations.
func (r *reader) catchUp(ctx context.Context) error {
	for {
		if r.cur.lf == nil {
			lf, err := openLogFile(r.path)
			if err != nil || lf == nil {
				return err
			}
			r.cur = &forward{lf: lf}
		}
		if err := r.cur.drain(ctx, r.emitter()); err != nil {
			return err
		}
		ino, err := statInode(r.path)
		if err != nil || ino == 0 {
			return err
		}
		if ino == r.cur.lf.ino {
			return r.cur.restartIfTruncated()
		}
		// Rotated: whatever was written before the rename is complete now.
		if err := r.cur.drain(ctx, r.emitter()); err != nil {
			return err
		}
		next, err := openNewer(r.path, r.cur.lf.ino)
		if err != nil {
			return err
		}
		r.cur.lf.close()
		r.cur = &forward{lf: next}
	}
}

// openNewer opens the file that came after the one with inode ino: if ino
// is now path.k, that is path.k-1. If ino is gone, the live file.
func openNewer(path string, ino uint64) (*logFile, error) {
	for k := 1; ; k++ {
		got, err := statInode(rotatedName(path, k))
		if err != nil {
			return nil, err
		}
		if got == 0 {
			break
		}
		if got == ino {
			lf, err := openLogFile(rotatedName(path, k-1))
			if err != nil || lf != nil {
				return lf, err
			}
			break
		}
	}
	return openLogFile(path)
}

package jsonlog

import (
	"context"
	"testing"
	"time"
)

// restClock is a follower's clock the test drives: each rest the
// follower takes is reported on started and lasts until the test
// sends on end.
type restClock struct {
	started chan time.Duration
	end     chan time.Time
}

func newRestClock() *restClock {
	return &restClock{started: make(chan time.Duration), end: make(chan time.Time)}
}

func (c *restClock) after(d time.Duration) <-chan time.Time {
	c.started <- d
	return c.end
}

// awaitRest waits for the follower to start resting.
func (c *restClock) awaitRest(t *testing.T) {
	t.Helper()
	select {
	case <-c.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the follower did not rest after reading lines")
	}
}

// A follower reads a steady log in batches: after a read that found
// lines it rests, and what was written meanwhile (here a burst that
// rotates the log) arrives whole, in order, in its next read. A line
// written alone after a quiet spell arrives without waiting for a poll.
func TestFollowBatchesLinesWrittenBetweenReads(t *testing.T) {
	t.Parallel()
	w, path := newLog(t, Options{MaxSize: 2000, MaxFile: 5})
	s := w.Stream("stdout")
	writeLines(t, s, "out", 0, 1)
	clock := newRestClock()
	// Polls an hour apart: a line that arrives came by inotify.
	pace := pacing{batch: time.Millisecond, poll: time.Hour, guard: time.Hour, after: clock.after}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &follow{entries: make(chan Entry, 1000), result: make(chan error, 1)}
	go func() {
		f.result <- read(ctx, path, ReadOptions{Tail: TailAll, Follow: true}, pace, func(e Entry) error {
			f.entries <- e
			return nil
		})
	}()
	f.await(t, seq("out", 0, 1))
	clock.awaitRest(t)

	writeLines(t, s, "out", 1, 101) // a write, and an inotify event, per line
	if _, err := statInode(path + ".2"); err != nil {
		t.Fatal(err)
	}
	clock.end <- time.Now()
	clock.awaitRest(t)
	if n := len(f.entries); n != 100 {
		t.Errorf("the read after the rest brought %d of the 100 lines written during it", n)
	}
	f.await(t, seq("out", 1, 101))

	clock.end <- time.Now()
	writeLines(t, s, "out", 101, 102)
	f.await(t, seq("out", 101, 102))
	clock.awaitRest(t)
	cancel()
	if err := <-f.result; err != nil {
		t.Fatal(err)
	}
}

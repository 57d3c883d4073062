package jsonlog

import (
	"fmt"
	"path/filepath"
	"time"
)

// A log must not fill its disk: the Writer stops writing when a write
// fails for want of space (ENOSPC, EDQUOT) or, with Options.MinFree, when
// the filesystem's free space, checked every checkEvery bytes written,
// falls below it. It then keeps taking the container's output, so that the
// container never blocks on a full pipe, and drops it, counting bytes and
// lines. While dropping it checks the free space every probeEvery and
// writes again once there is MinFree plus a margin (so that it does not
// flap at the edge).
//
// What was dropped is told in the log itself, where a reader meets the
// gap: a stderr entry "berth: stopped writing this log: …" when writing
// stops (if there is room for it), and "berth: dropped N bytes of output
// (M lines) from … to …: …" before the first entry written again, or at
// Close. Only the log's readers need to know, and they need to know where
// the gap is; the note travels with the log (docker logs, any json-file
// reader) and costs nothing while all is well. A note that finds no room
// is lost with the output; Close's error then tells the shim.
const (
	checkEvery = 1 << 20
	probeEvery = 250 * time.Millisecond
	// minResume is the least free space that ends dropping, on top of
	// MinFree.
	minResume = 1 << 20
)

// Reasons for dropping, as the notes give them.
const noSpaceReason = "no space left on device"

// spaceWatch is the Writer's state of its disk; the Writer's lock guards
// it.
type spaceWatch struct {
	sinceCheck int64 // bytes written since free space was last checked
	dropping   bool
	reason     string
	since      time.Time // first output dropped
	lastProbe  time.Time
	bytes      int64 // of output dropped
	lines      int   // entries dropped
}

// room reports whether a batch may be written now: it stops writing when
// the free space falls below MinFree, and starts again when it is back.
func (sw *spaceWatch) room(w *Writer) bool {
	if sw.dropping {
		now := w.disk.now()
		if now.Sub(sw.lastProbe) < probeEvery {
			return false
		}
		sw.lastProbe = now
		free, err := w.disk.free(filepath.Dir(w.path))
		if err != nil || free < w.opts.MinFree+max(w.opts.MinFree/4, minResume) {
			return false
		}
		if err := w.writeNote(sw.droppedNote(now)); err != nil {
			return false
		}
		*sw = spaceWatch{}
		return true
	}
	if w.opts.MinFree <= 0 || sw.sinceCheck < checkEvery {
		return true
	}
	sw.sinceCheck = 0
	free, err := w.disk.free(filepath.Dir(w.path))
	if err == nil && free < w.opts.MinFree {
		sw.stop(w, fmt.Sprintf("less than %s free on its filesystem", mib(w.opts.MinFree)))
		return false
	}
	return true
}

// stop starts dropping, and says so in the log if there is room.
func (sw *spaceWatch) stop(w *Writer, reason string) {
	now := w.disk.now()
	*sw = spaceWatch{dropping: true, reason: reason, since: now, lastProbe: now}
	// With no room, the note of what was dropped tells it later.
	_ = w.writeNote("berth: stopped writing this log: " + reason +
		"; the output is dropped, and counted, until there is room again")
}

func (sw *spaceWatch) count(bytes int64, lines int) {
	sw.bytes += bytes
	sw.lines += lines
}

func (sw *spaceWatch) droppedNote(now time.Time) string {
	return fmt.Sprintf("berth: dropped %d bytes of output (%d lines) from %s to %s: %s",
		sw.bytes, sw.lines, sw.since.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano), sw.reason)
}

// closeNote writes, at Close, the note of output dropped until then.
func (sw *spaceWatch) closeNote(w *Writer) error {
	if !sw.dropping || sw.bytes == 0 {
		return nil
	}
	note := sw.droppedNote(w.disk.now())
	if err := w.writeNote(note); err != nil {
		return fmt.Errorf("log %s: %s, and no room to note it: %w", w.path, note[len("berth: "):], err)
	}
	return nil
}

// writeNote writes a line of berth's own to the log, on stderr.
func (w *Writer) writeNote(text string) error {
	entry := appendEntry(nil, []byte(text), true, streamTail("stderr"), appendTime(nil, w.disk.now()))
	return w.writeEntries(entry, []int{len(entry)})
}

// mib shows a size the way it was most likely set.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

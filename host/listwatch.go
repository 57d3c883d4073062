package host

import (
	"slices"
	"time"

	"berth/engine"
	"berth/engine/events"
)

// ListWatch decides what a face that keeps a machine's list of
// containers up to date (the full-screen program, which shows it
// changing within a second) reads again, so that what keeping it costs
// grows with what changed and not with what exists: the containers the
// machine's events named since the last read (listed again by
// engine.ListOptions.IDs, then merged with PatchList), and every
// container only every ListAllEvery, as a safety net for a change no
// event tells of (a monitor killed without a word), or whenever the
// events are not followed. On a local machine that list of every
// container is itself the engine's snapshot and the events since, which
// reads every record at least every 30 s (engine listsnapshot.go).
//
// The zero ListWatch follows nothing: each Next lists every container.
// Feed it Following when a follow of the events opens or ends, Event
// with each event, and Failed when a read it asked for failed.
type ListWatch struct {
	following bool
	listedAt  time.Time       // when the last list of every container was asked for; zero: none since the follow opened
	changed   map[string]bool // the containers named since the last read
}

// ListAllEvery is how often a ListWatch that follows the events lists
// every container all the same.
const ListAllEvery = 30 * time.Second

// Following says the events are followed from now on (true), or no
// longer (false: the stream ended or could not be opened). Either way
// the next read lists every container: what happened before the follow
// opened, or after it broke, no event will tell.
func (w *ListWatch) Following(ok bool) {
	w.following, w.listedAt = ok, time.Time{}
}

// Event notes the container ev changed, if any (ChangedBy).
func (w *ListWatch) Event(ev events.Event) {
	id := ChangedBy(ev)
	if id == "" {
		return
	}
	if w.changed == nil {
		w.changed = map[string]bool{}
	}
	w.changed[id] = true
}

// Named says events named containers not read again since.
func (w *ListWatch) Named() bool { return len(w.changed) > 0 }

func (w *ListWatch) allDue(now time.Time) bool {
	return !w.following || w.listedAt.IsZero() || now.Sub(w.listedAt) >= ListAllEvery
}

// Next is what to read at now, and takes it as asked for: every
// container (all), or those of ids, sorted (neither: nothing changed).
func (w *ListWatch) Next(now time.Time) (all bool, ids []string) {
	if w.allDue(now) {
		w.listedAt, w.changed = now, nil
		return true, nil
	}
	if len(w.changed) == 0 {
		return false, nil
	}
	ids = make([]string, 0, len(w.changed))
	for id := range w.changed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w.changed = nil
	return false, ids
}

// Failed takes back a read Next asked for that failed (all, or ids), so
// that the next one asks for it again.
func (w *ListWatch) Failed(all bool, ids []string) {
	if all {
		w.listedAt = time.Time{}
		return
	}
	for _, id := range ids {
		if w.changed == nil {
			w.changed = map[string]bool{}
		}
		w.changed[id] = true
	}
}

// ChangedBy is the container whose listed record ev may have changed
// (engine.ChangedBy: the rule the engine's own list snapshot follows).
func ChangedBy(ev events.Event) string { return engine.ChangedBy(ev) }

// PatchList is list after the containers ids were listed again as fresh
// (engine.PatchList).
func PatchList(list []*engine.Container, ids []string, fresh []*engine.Container) []*engine.Container {
	return engine.PatchList(list, ids, fresh)
}

package host

import (
	"slices"
	"strings"
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
// events are not followed.
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

// unlisted are the container actions that change nothing a list of
// containers shows (docker's ps): a process run inside it, a stream
// attached to it, files copied out of or into it. Every other container
// event, and one of a kind not known here, has it listed again.
var unlisted = []string{
	events.ActionExecCreate, events.ActionExecStart, events.ActionExecDie,
	events.ActionAttach, events.ActionDetach,
	"archive-path", "extract-to-dir", "export",
}

// ChangedBy is the container whose listed record ev may have changed: a
// container event's own (but for the unlisted actions), the container
// a network event connects or disconnects; "" for none.
func ChangedBy(ev events.Event) string {
	switch ev.Type {
	case events.TypeContainer:
		action, _, _ := strings.Cut(ev.Action, ":") // "exec_start: sh"
		if slices.Contains(unlisted, action) {
			return ""
		}
		return ev.ID
	case events.TypeNetwork:
		return ev.Attributes[events.AttrContainer]
	}
	return ""
}

// PatchList is list (every container, as engine List returns them)
// after the containers ids were listed again as fresh: each of ids is
// fresh's record, or gone when fresh has none; one fresh had not listed
// is added. The result is newest first, as List's, and list is left as
// it was.
func PatchList(list []*engine.Container, ids []string, fresh []*engine.Container) []*engine.Container {
	byID := make(map[string]*engine.Container, len(fresh))
	for _, c := range fresh {
		byID[c.ID] = c
	}
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	out := make([]*engine.Container, 0, len(list)+len(fresh))
	for _, c := range list {
		if f, ok := byID[c.ID]; ok {
			out = append(out, f)
			delete(byID, c.ID)
			continue
		}
		if !asked[c.ID] {
			out = append(out, c)
		}
	}
	for _, c := range fresh {
		if byID[c.ID] != nil {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *engine.Container) int { return b.Created.Compare(a.Created) })
	return out
}

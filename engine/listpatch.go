package engine

import (
	"slices"
	"strings"

	"berth/engine/events"
)

// This file holds the rules a list of containers kept up to date by the
// events follows: which container an event may have changed (ChangedBy)
// and how a list takes the ones read again (PatchList). The engine's own
// list snapshot (listsnapshot.go) and a face that keeps a list
// (host.ListWatch) follow the same rules.

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

// PatchList is list (every container, as List returns them)
// after the containers ids were listed again as fresh: each of ids is
// fresh's record, or gone when fresh has none; one fresh had not listed
// is added. The result is newest first, as List's, and list is left as
// it was.
func PatchList(list []*Container, ids []string, fresh []*Container) []*Container {
	byID := make(map[string]*Container, len(fresh))
	for _, c := range fresh {
		byID[c.ID] = c
	}
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	out := make([]*Container, 0, len(list)+len(fresh))
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
	slices.SortStableFunc(out, func(a, b *Container) int { return b.Created.Compare(a.Created) })
	return out
}

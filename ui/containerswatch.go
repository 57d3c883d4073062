package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/events"
	"berth/host"
)

// The containers list follows each host's events, so that keeping it
// costs what changed and not what exists: an event that names a
// container has that container's record read again at once (a read of
// its own, not waiting for the tick), and every container is listed
// only every host.ListAllEvery, or on each refresh while a host's
// events cannot be followed (host.ListWatch decides). The tick then
// reads only the stats of the rows on screen. A follow that ends is
// opened again at a later refresh, at most every host.ListAllEvery.

// Messages of the containers list's follow of a host's events.
type (
	// changesStartMsg is the follow of host's events opened (or not).
	changesStartMsg struct {
		host   int
		stream *eventStream
		err    error
	}
	// changesBatchMsg is the events that arrived since the last one;
	// done says the stream ended after them.
	changesBatchMsg struct {
		host   int
		stream *eventStream
		events []events.Event
		done   bool
	}
)

// containersWatch is the containers list's follow of every host's
// events, and what each host's list needs read again. Its slices are
// shared by the model's copies, as hostLists' are.
type containersWatch struct {
	lists    []host.ListWatch
	streams  []*eventStream // nil: not following
	followed []time.Time    // when each follow was last opened
	asked    []listAsk      // what each host's last read listed
}

func newContainersWatch(n int) containersWatch {
	return containersWatch{lists: make([]host.ListWatch, n), streams: make([]*eventStream, n),
		followed: make([]time.Time, n), asked: make([]listAsk, n)}
}

// dropped takes back the reads under way, whose answers a new
// generation drops: what they listed is listed again.
func (w containersWatch) dropped(inFlight []bool) {
	for h, busy := range inFlight {
		if busy {
			w.lists[h].Failed(w.asked[h].all, w.asked[h].ids)
		}
	}
}

// follow opens the follow of host h's events unless it is open, or
// was opened less than host.ListAllEvery ago (it ended or failed since).
func (w containersWatch) follow(sh *shared, now time.Time) tea.Cmd {
	h := sh.host
	if w.streams[h] != nil || !w.followed[h].IsZero() && now.Sub(w.followed[h]) < host.ListAllEvery {
		return nil
	}
	ctx, cancel := context.WithCancel(sh.ctx)
	s := &eventStream{cancel: cancel}
	w.streams[h], w.followed[h] = s, now
	return func() tea.Msg {
		ch, err := sh.backend.FollowNewEvents(ctx)
		s.ch = ch
		return changesStartMsg{host: h, stream: s, err: err}
	}
}

// started takes a follow's opening: from now on the host's events are
// followed, and its next read lists every container.
func (w containersWatch) started(msg changesStartMsg) tea.Cmd {
	if w.streams[msg.host] != msg.stream {
		return nil
	}
	if msg.err != nil {
		msg.stream.cancel()
		w.streams[msg.host] = nil
		w.lists[msg.host].Following(false)
		return nil
	}
	w.lists[msg.host].Following(true)
	return waitChangesCmd(msg.host, msg.stream)
}

// arrived takes a batch of a host's events; it reports whether the
// batch was this follow's (and so the host's list may need a read).
func (w containersWatch) arrived(msg changesBatchMsg) (tea.Cmd, bool) {
	if w.streams[msg.host] != msg.stream {
		return nil, false
	}
	for _, e := range msg.events {
		w.lists[msg.host].Event(e)
	}
	if msg.done {
		msg.stream.cancel()
		w.streams[msg.host] = nil
		w.lists[msg.host].Following(false)
		return nil, true
	}
	return waitChangesCmd(msg.host, msg.stream), true
}

// onChanges takes a message of the follow and, when a host's events
// named containers, reads them again unless a read of that host is
// under way (its answer reads them, containersMsg).
func (m containersModel) onChanges(msg tea.Msg) (containersModel, tea.Cmd) {
	switch msg := msg.(type) {
	case changesStartMsg:
		return m, m.watch.started(msg)
	case changesBatchMsg:
		next, ours := m.watch.arrived(msg)
		if !ours {
			return m, nil
		}
		m, read := m.readNamed(msg.host)
		return m, tea.Batch(next, read)
	}
	return m, nil
}

// readNamed reads again the containers host h's events named, if any
// and no read of h is under way.
func (m containersModel) readNamed(h int) (containersModel, tea.Cmd) {
	if !m.watch.lists[h].Named() || m.hostRows.inFlight[h] {
		return m, nil
	}
	return m.read(h, nil, false)
}

// read reads host h's containers as its ListWatch says (every one,
// those events named, or none) and the stats of the running ones in
// sample (nil: every one; with stats false, none). It reads nothing
// and asks nothing when there is nothing to read.
func (m containersModel) read(h int, sample map[string]bool, stats bool) (containersModel, tea.Cmd) {
	sh := m.sh.on(h)
	all, ids := m.watch.lists[h].Next(m.sh.now())
	var statsOf []string
	if stats && !all {
		for _, c := range m.hostRows.lists[h] {
			if c.State.Running() && (sample == nil || sample[rowKey(sh, c.ID)]) {
				statsOf = append(statsOf, c.ID)
			}
		}
	}
	if !all && len(ids) == 0 && len(statsOf) == 0 {
		return m, nil
	}
	m.hostRows.inFlight[h] = true
	m.watch.asked[h] = listAsk{all: all, ids: ids}
	if !stats {
		sample = map[string]bool{}
	}
	return m, readCmd(sh, m.gen, listAsk{all: all, ids: ids}, statsOf, sample)
}

// listAsk is what a read lists: every container (all), those of ids,
// or none.
type listAsk struct {
	all bool
	ids []string
}

func (a listAsk) none() bool { return !a.all && len(a.ids) == 0 }

// readCmd lists host sh's containers as ask says, and samples the stats
// of the containers of statsOf and of the running ones it lists that
// are in sample (nil: all of them).
func readCmd(sh *shared, gen int, ask listAsk, statsOf []string, sample map[string]bool) tea.Cmd {
	return func() tea.Msg {
		msg := containersMsg{gen: gen, host: sh.host, ask: ask}
		if !ask.none() {
			opts := engine.ListOptions{All: true, Brief: true}
			if !ask.all {
				opts.IDs = ask.ids
			}
			list, err := sh.backend.List(sh.ctx, opts)
			if err != nil {
				msg.err = err
				return msg
			}
			msg.list = list
		}
		msg.stats = make(map[string]*engine.Stats, len(statsOf))
		sampleOne := func(id string) {
			if _, done := msg.stats[id]; done {
				return
			}
			if s, err := sh.backend.Stats(sh.ctx, id); err == nil && s != nil {
				msg.stats[id] = s
			}
		}
		for _, c := range msg.list {
			if c.State.Running() && (sample == nil || sample[rowKey(sh, c.ID)]) {
				sampleOne(c.ID)
			}
		}
		for _, id := range statsOf {
			sampleOne(id)
		}
		return msg
	}
}

// waitChangesCmd waits for the next events of a host's follow, up to
// eventsBatchMax of them at a time.
func waitChangesCmd(h int, s *eventStream) tea.Cmd {
	return func() tea.Msg {
		batch, done := s.nextBatch()
		return changesBatchMsg{host: h, stream: s, events: batch, done: done}
	}
}

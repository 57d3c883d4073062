package engine

import "sync"

// eventHold holds back the network events naming a container while a
// network connect or disconnect changes its record, and appends them
// once the record is saved. The network manager tells of a connect as
// it makes it, before the container's record says so; a list of
// containers kept by the events (listsnapshot.go, host.ListWatch) that
// read the event, then the record not yet saved, would keep the old
// networks and ports until the next event of the container.
type eventHold struct {
	mu   sync.Mutex
	held map[string][]func() // by container ID; nil slice: held, nothing yet
}

// hold holds the events of container id until release is called.
func (h *eventHold) hold(id string) (release func()) {
	h.mu.Lock()
	if h.held == nil {
		h.held = map[string][]func(){}
	}
	h.held[id] = nil
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		emits := h.held[id]
		delete(h.held, id)
		h.mu.Unlock()
		for _, emit := range emits {
			emit()
		}
	}
}

// emit runs emit now, or at the release of container id's hold.
func (h *eventHold) emit(id string, emit func()) {
	h.mu.Lock()
	if _, ok := h.held[id]; ok && id != "" {
		h.held[id] = append(h.held[id], emit)
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	emit()
}

package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"time"

	moby "github.com/moby/moby/api/types/events"

	"berth/engine/events"
)

// legacyEventsVersion is the first API version whose events no longer
// carry status, id and from (docker 20.10 and docker-py 5 read them).
const legacyEventsVersion = "1.52"

// legacyEventMessage is an event with the fields older clients read.
type legacyEventMessage struct {
	Status string `json:"status,omitempty"`
	ID     string `json:"id,omitempty"`
	From   string `json:"from,omitempty"`
	moby.Message
}

// events streams what happens, as JSON objects one after another, each
// flushed as it comes: the recorded ones from since first, then the new
// ones until until has passed or the client goes. With an until already
// past it answers the recorded ones and ends.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	now := time.Now()
	var f events.Filter
	var err error
	if f.Since, err = parseTime(r.URL.Query().Get("since"), now); err != nil {
		return err
	}
	if f.Until, err = parseTime(r.URL.Query().Get("until"), now); err != nil {
		return err
	}
	args, err := queryFilters(r)
	if err != nil {
		return err
	}
	if err := args.Validate(events.FilterKeys...); err != nil {
		return invalidf("%v", err)
	}
	if len(args) > 0 {
		f.Args = args
	}
	legacy := versionBefore(r.Context(), legacyEventsVersion)
	log := s.host.Events()
	if !f.Until.IsZero() && !f.Until.After(now) {
		list, err := log.Query(f)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for _, e := range list {
			if err := writeEvent(w, e, legacy); err != nil {
				return err
			}
		}
		return nil
	}
	ch, err := log.Follow(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return err
	}
	for e := range ch {
		if err := writeEvent(w, e, legacy); err != nil {
			return err
		}
		if err := rc.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeEvent writes one event as a JSON object and a newline.
func writeEvent(w http.ResponseWriter, e events.Event, legacy bool) error {
	msg := EventMessage(e)
	if !legacy {
		return json.NewEncoder(w).Encode(msg)
	}
	out := legacyEventMessage{Message: msg}
	if e.Type == events.TypeContainer || e.Type == events.TypeImage {
		out.Status, out.ID, out.From = e.Action, e.ID, e.Attributes[events.AttrImage]
	}
	return json.NewEncoder(w).Encode(out)
}

// EventMessage is an engine event as Moby's type: the actor's
// attributes with its name among them, as dockerd's.
func EventMessage(e events.Event) moby.Message {
	attrs := maps.Clone(e.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	if _, ok := attrs[events.AttrName]; !ok && e.Name != "" {
		attrs[events.AttrName] = e.Name
	}
	return moby.Message{
		Type: moby.Type(e.Type), Action: moby.Action(e.Action), Scope: "local",
		Actor: moby.Actor{ID: e.ID, Attributes: attrs},
		Time:  e.Time.Unix(), TimeNano: e.Time.UnixNano(),
	}
}

package ui

import (
	"slices"
	"strings"

	"berth/engine/events"
)

// The events screen's filter: what the prompt says, and the quick
// filters by type and by action. A word of the prompt is text looked for
// (case aside) in the event's type, action, object name, ID and
// attributes; a word KEY=VALUE whose key is one of `berth events
// --filter`'s (type=image, event=die, container=web, label=k=v …) is
// that filter, with docker's rules (events.MatchArgs). Words combine
// with AND; the quick filters are the type= and event= filters.

// eventTypes are the quick filter's types, in the order t cycles them;
// "" is every type.
var eventTypes = []string{"", events.TypeContainer, events.TypeImage, events.TypeNetwork, events.TypeVolume}

// eventQuery is a parsed filter.
type eventQuery struct {
	words []string            // lower case, each found somewhere in the event
	args  map[string][]string // docker's filters: values of a key OR, keys AND
}

// parseEventQuery reads the prompt's text with the quick filters typ and
// action ("" for none).
func parseEventQuery(text, typ, action string) eventQuery {
	q := eventQuery{args: map[string][]string{}}
	for _, w := range strings.Fields(text) {
		if k, v, ok := strings.Cut(w, "="); ok && v != "" && slices.Contains(events.FilterKeys, strings.ToLower(k)) {
			k = strings.ToLower(k)
			q.args[k] = append(q.args[k], v)
			continue
		}
		q.words = append(q.words, strings.ToLower(w))
	}
	if typ != "" {
		q.args["type"] = append(q.args["type"], typ)
	}
	if action != "" {
		q.args["event"] = append(q.args["event"], action)
	}
	return q
}

// empty says the query lets every event through.
func (q eventQuery) empty() bool { return len(q.words) == 0 && len(q.args) == 0 }

// match says e passes the query.
func (q eventQuery) match(e events.Event) bool {
	if len(q.args) > 0 && !events.MatchArgs(q.args, e) {
		return false
	}
	if len(q.words) == 0 {
		return true
	}
	text := eventText(e)
	for _, w := range q.words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// eventText is everything the prompt's words are looked for in, lower
// case: type, action, name, ID and each attribute as key=value.
func eventText(e events.Event) string {
	parts := []string{e.Type, e.Action, e.Name, e.ID}
	for k, v := range e.Attributes {
		parts = append(parts, k+"="+v)
	}
	return strings.ToLower(strings.Join(parts, "\x00"))
}

// baseAction is an action without the command or status docker appends
// ("exec_start: sh -c date" is exec_start): what the action menu offers.
func baseAction(action string) string {
	a, _, _ := strings.Cut(action, ":")
	return a
}

// nextEventType is the type after typ in the quick filter's cycle.
func nextEventType(typ string) string {
	i := slices.Index(eventTypes, typ)
	return eventTypes[(i+1)%len(eventTypes)]
}

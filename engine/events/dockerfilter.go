package events

import (
	"slices"
	"strings"
)

// FilterKeys are the `events --filter` keys MatchArgs knows, docker's.
var FilterKeys = []string{"container", "event", "image", "label", "network", "scope", "type", "volume"}

// MatchArgs reports whether e passes docker's event filters: every key
// given must match (AND), any of its values (OR).
//
//   - container, network, volume: a value equal to or a prefix of the
//     actor's ID or name (docker matches these without looking at the
//     event's type, so a container filter drops image and network events).
//   - image: the actor's ID or, for container events, their image
//     attribute, for image events their name, with or without the tag.
//   - label: KEY or KEY=VALUE among the attributes (a container event's
//     labels are its attributes); every label value given must match.
//   - type: the event type exactly; scope: "local", every berth event's.
//   - event: the action exactly; exec_create, exec_start and
//     health_status also match their long forms ("exec_start: sh -c …").
func MatchArgs(args map[string][]string, e Event) bool {
	return matchAction(args["event"], e.Action) &&
		matchExact(args["type"], e.Type) &&
		matchExact(args["scope"], "local") &&
		matchFuzzy(args["container"], e.ID, e.name()) &&
		matchFuzzy(args["network"], e.ID, e.name()) &&
		matchFuzzy(args["volume"], e.ID, e.name()) &&
		matchImage(args["image"], e) &&
		matchLabels(args["label"], e.Attributes)
}

// name is the actor's name attribute, or the Name recorded beside it.
func (e Event) name() string {
	if n, ok := e.Attributes[AttrName]; ok {
		return n
	}
	return e.Name
}

func matchExact(values []string, s string) bool {
	return len(values) == 0 || slices.Contains(values, s)
}

func matchFuzzy(values []string, sources ...string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, s := range sources {
			if s != "" && strings.HasPrefix(s, v) {
				return true
			}
		}
	}
	return false
}

// matchAction is docker's event= rule: exact, but a value naming one of
// the actions that carry a suffix matches every action starting with it.
func matchAction(values []string, action string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		if v == action {
			return true
		}
		switch v {
		case ActionExecCreate, ActionExecStart, "health_status":
			if strings.HasPrefix(action, v) {
				return true
			}
		}
	}
	return false
}

func matchImage(values []string, e Event) bool {
	if len(values) == 0 {
		return true
	}
	key := AttrImage
	if e.Type == TypeImage {
		key = AttrName
	}
	img := e.Attributes[key]
	if key == AttrName {
		img = e.name()
	}
	for _, v := range values {
		for _, s := range []string{e.ID, img, stripTag(e.ID), stripTag(img)} {
			if s != "" && s == v {
				return true
			}
		}
	}
	return false
}

// stripTag is an image reference without its tag or digest; an image ID
// ("sha256:…") stays whole.
func stripTag(ref string) string {
	if strings.HasPrefix(ref, "sha256:") {
		return ref
	}
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

func matchLabels(values []string, attrs map[string]string) bool {
	for _, v := range values {
		k, want, hasValue := strings.Cut(v, "=")
		got, ok := attrs[k]
		if !ok || (hasValue && got != want) {
			return false
		}
	}
	return true
}

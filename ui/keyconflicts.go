package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyScreen is a place where bindings act together: a key may be bound
// to only one of them there.
type keyScreen struct {
	name  string
	names func(name string) bool
}

func inGroups(groups ...string) func(string) bool {
	return func(name string) bool {
		return slices.Contains(groups, name[:strings.IndexByte(name, '.')])
	}
}

// keyScreens lists where each binding acts: global keys everywhere, a
// terminal pane's beside the screens it opens on, the images screen with
// the containers screen's sort keys, dialogs with the moves they take.
var keyScreens = []keyScreen{
	{"the containers screen", inGroups("global", "containers", "terminal")},
	{"the logs screen", inGroups("global", "logs", "terminal")},
	{"the top screen", inGroups("global", "top", "terminal")},
	{"the images screen", func(name string) bool {
		return inGroups("global", "images")(name) || slices.Contains([]string{"containers.sortnext", "containers.sortprev", "containers.sortrev"}, name)
	}},
	{"the inspect screen", inGroups("global", "inspect")},
	{"the layers screen", inGroups("global", "layers")},
	{"the events screen", inGroups("global", "events")},
	{"dialogs", func(name string) bool {
		return inGroups("dialog")(name) || slices.Contains([]string{"global.up", "global.down", "global.home", "global.end", "global.back", "global.forcequit"}, name)
	}},
}

// refuseConflicts undoes each rebinding (of the names in remapped) that
// binds a key another binding takes where both act, keeping that
// binding's default, and says why for each. Keys two bindings share by
// default are meant to (the screen's own binding wins there) and are no
// conflict.
func (k *keyMap) refuseConflicts(remapped map[string]bool) []error {
	defaults := defaultKeys()
	def, all := defaults.bindings(), k.bindings()
	var refused []error
	for {
		name, other, screen, clash, ok := firstConflict(all, def, remapped)
		if !ok {
			return refused
		}
		asked := all[name].Keys()
		*all[name] = *def[name]
		delete(remapped, name)
		refused = append(refused, fmt.Errorf("%w: %s %q refused: %q is %s's key on %s; %s keeps %s",
			ErrKeyConflict, name, asked, clash, other, screen, name, strings.Join(def[name].Keys(), " ")))
	}
}

// firstConflict finds, in name order, a rebound binding that shares a key
// with another where both act.
func firstConflict(all, def map[string]*key.Binding, remapped map[string]bool) (name, other, screen, clash string, ok bool) {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !remapped[name] {
			continue
		}
		for _, s := range keyScreens {
			if !s.names(name) {
				continue
			}
			for _, other := range names {
				if other == name || !s.names(other) {
					continue
				}
				for _, x := range all[name].Keys() {
					if slices.Contains(all[other].Keys(), x) &&
						!(slices.Contains(def[name].Keys(), x) && slices.Contains(def[other].Keys(), x)) {
						return name, other, s.name, x, true
					}
				}
			}
		}
	}
	return "", "", "", "", false
}

// rebound names the bindings whose keys differ from their defaults.
func (k *keyMap) rebound() map[string]bool {
	defaults := defaultKeys()
	def := defaults.bindings()
	out := map[string]bool{}
	for name, b := range k.bindings() {
		if !slices.Equal(b.Keys(), def[name].Keys()) {
			out[name] = true
		}
	}
	return out
}

// refusedKeys is the refused rebindings as one status line.
type refusedKeys []error

func (r refusedKeys) Error() string {
	msgs := make([]string, len(r))
	for i, err := range r {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (r refusedKeys) Unwrap() []error { return r }

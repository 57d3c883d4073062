package events

import (
	"slices"
	"time"
)

// Event is one thing that happened to a container, an image, a network
// or a volume.
type Event struct {
	Time   time.Time `json:"time"`
	Type   string    `json:"type"`   // TypeContainer, TypeImage, TypeNetwork or TypeVolume
	Action string    `json:"action"` // one of the Action constants
	// ID is the actor's ID, docker's: a container's or network's full
	// 64-hex ID, an image's "sha256:…" (its reference for pull and push),
	// a volume's name.
	ID string `json:"id"`
	// Name is the container's name or the image's reference, at the time.
	Name string `json:"name,omitempty"`
	// Attributes carry details: AttrExitCode, AttrSignal, AttrImage, ….
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Event types.
const (
	TypeContainer = "container"
	TypeImage     = "image"
	TypeNetwork   = "network"
	TypeVolume    = "volume"
)

// Actions, with docker's names.
const (
	ActionCreate  = "create"
	ActionStart   = "start"
	ActionDie     = "die" // the process exited; AttrExitCode says how
	ActionOOM     = "oom"
	ActionRestart = "restart" // restarted by the restart policy; AttrRestartCount
	ActionPause   = "pause"
	ActionUnpause = "unpause"
	ActionStop    = "stop"
	ActionKill    = "kill" // AttrSignal
	ActionRename  = "rename"
	ActionDestroy = "destroy"
	ActionTag     = "tag"
	ActionUntag   = "untag"
	ActionDelete  = "delete"
	ActionImport  = "import"
	ActionPull    = "pull"
	ActionLoad    = "load"
	ActionSave    = "save"
	ActionBuild   = "build"
	ActionPrune   = "prune"
	ActionPush    = "push"
	ActionAttach  = "attach"
	ActionDetach  = "detach" // the user pressed the detach keys
	// ActionExecCreate and ActionExecStart are followed, as docker's, by
	// ": " and the command line: "exec_start: sh -c date".
	ActionExecCreate = "exec_create"
	ActionExecStart  = "exec_start"
	ActionExecDie    = "exec_die"
	// Network actions; their events carry AttrContainer (connect,
	// disconnect), AttrName and AttrNetworkType.
	ActionConnect    = "connect"
	ActionDisconnect = "disconnect"
)

// Attribute keys, with docker's names.
const (
	AttrExitCode     = "exitCode"
	AttrSignal       = "signal"
	AttrRestartCount = "restartCount"
	AttrImage        = "image"
	AttrOldName      = "oldName"
	AttrError        = "error"
	// AttrReason says why berth, not the user, acted: "shim died" on the
	// die and restart of a container whose shim was killed, "boot" on a
	// start by `berth system boot`.
	AttrReason = "reason"
	// AttrName is the actor's name: a container's, an image reference, a
	// network's or a volume's.
	AttrName        = "name"
	AttrExecID      = "execID"
	AttrContainer   = "container"
	AttrNetworkType = "type"
)

// Filter selects events. The zero Filter selects every event.
type Filter struct {
	// ID, when set, selects the events of that container or image
	// (the full ID).
	ID string
	// Name, when set, selects events whose Name is this: a container's
	// name or an image reference, as docker's container= and image=
	// filters accept, also after the container is gone.
	Name string
	// Since and Until bound event times, inclusive; zero is unbounded.
	// A follower stops after the first event past Until.
	Since, Until time.Time
	// Types and Actions, when not empty, select events whose type or
	// action is in the list.
	Types   []string
	Actions []string
	// Args are `berth events --filter` keys with docker's meaning (see
	// MatchArgs): container, image, network, volume, label, type, event.
	// Keys combine with AND, values of one key with OR.
	Args map[string][]string
}

// Match reports whether f selects e.
func (f Filter) Match(e Event) bool {
	switch {
	case f.ID != "" && e.ID != f.ID:
		return false
	case f.Name != "" && e.Name != f.Name:
		return false
	case !f.Since.IsZero() && e.Time.Before(f.Since):
		return false
	case !f.Until.IsZero() && e.Time.After(f.Until):
		return false
	case len(f.Types) > 0 && !slices.Contains(f.Types, e.Type):
		return false
	case len(f.Actions) > 0 && !slices.Contains(f.Actions, e.Action):
		return false
	case len(f.Args) > 0 && !MatchArgs(f.Args, e):
		return false
	}
	return true
}

package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyMap is every key of the program, grouped by where it acts. It is
// the only place keys are named: screens match against it and help is
// generated from it. A keys file may rebind any of them (see loadKeys).
type keyMap struct {
	Global     globalKeys
	Containers containerKeys
	Logs       logKeys
	Top        topKeys
	Images     imageKeys
	Layers     layerKeys
	Inspect    inspectKeys
	Events     eventKeys
	Terminal   terminalKeys
	Dialog     dialogKeys
}

type globalKeys struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Back      key.Binding
	Help      key.Binding
	NextPane  key.Binding
	Mouse     key.Binding
	Copy      key.Binding
	Up        key.Binding
	Down      key.Binding
	PageUp    key.Binding
	PageDown  key.Binding
	Home      key.Binding
	End       key.Binding
	Filter    key.Binding
	// Host picks the current host; disabled with only one.
	Host key.Binding
}

type containerKeys struct {
	Logs       key.Binding
	Exec       key.Binding
	Attach     key.Binding
	ExecPane   key.Binding
	AttachPane key.Binding
	Top        key.Binding
	Inspect    key.Binding
	Timeline   key.Binding
	Start      key.Binding
	Stop       key.Binding
	Restart    key.Binding
	Kill       key.Binding
	Pause      key.Binding
	Remove     key.Binding
	Rename     key.Binding
	Run        key.Binding
	Mark       key.Binding
	All        key.Binding
	SortNext   key.Binding
	SortPrev   key.Binding
	SortRev    key.Binding
	// Fold folds or unfolds a compose project's (or service's) heading.
	Fold key.Binding
	// Up and Down are `compose up -d` and `compose down` of the project
	// under the cursor.
	Up   key.Binding
	Down key.Binding
	// Sort* sort by one column (again: reversed), as k9s's shift keys.
	SortName     key.Binding
	SortImage    key.Binding
	SortStatus   key.Binding
	SortRestarts key.Binding
	SortCPU      key.Binding
	SortMem      key.Binding
	SortPids     key.Binding
	SortNet      key.Binding
	SortPorts    key.Binding
}

type logKeys struct {
	Timestamps key.Binding
	Wrap       key.Binding
	Search     key.Binding
	Next       key.Binding
	Prev       key.Binding
	Since      key.Binding
	ExecPane   key.Binding
	Filter     key.Binding // only matching lines (logfilter.go)
	Context    key.Binding // lines of context around them
	Regex      key.Binding // in the prompt: text or regular expression
}

type topKeys struct {
	Signal   key.Binding
	SortNext key.Binding
	SortPrev key.Binding
	SortRev  key.Binding
	ExecPane key.Binding
}

type imageKeys struct {
	Run    key.Binding
	Remove key.Binding
	Prune  key.Binding
	Pull   key.Binding
	Build  key.Binding
	// Layers opens the image's layers and their files (layertree.go).
	Layers key.Binding
}

// layerKeys act on the layers screen's file tree.
type layerKeys struct {
	Fold      key.Binding
	FoldAll   key.Binding
	Changes   key.Binding
	Aggregate key.Binding
}

type inspectKeys struct {
	Search key.Binding
	Next   key.Binding
	Prev   key.Binding
}

// eventKeys are the events screen's (events.go); its filter is
// global.filter.
type eventKeys struct {
	Type     key.Binding // cycle the quick filter by type
	Action   key.Binding // the menu of the quick filter by action
	Pause    key.Binding
	Timeline key.Binding // of the event's container
	Inspect  key.Binding // the event's container
}

type dialogKeys struct {
	Yes    key.Binding
	No     key.Binding
	Select key.Binding
}

type terminalKeys struct {
	// Leave gives the keyboard back to the UI; every other key goes to
	// the terminal while it has focus.
	Leave key.Binding
	Close key.Binding
	Cycle key.Binding
}

func bind(help string, keys ...string) key.Binding {
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = keyLabel(k)
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(strings.Join(labels, "/"), help))
}

func keyLabel(k string) string {
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "left":
		return "←"
	case "right":
		return "→"
	}
	return k
}

func defaultKeys() keyMap {
	return keyMap{
		Global: globalKeys{
			Quit:      bind("quit", "q"),
			ForceQuit: bind("quit (pane: its ^C)", "ctrl+c"),
			Back:      bind("back", "esc"),
			Help:      bind("help", "?"),
			NextPane:  bind("next pane", "tab"),
			Mouse:     bind("mouse capture on/off", "m"),
			Copy:      bind("copy to clipboard", "y"),
			Up:        bind("up", "k", "up"),
			Down:      bind("down", "j", "down"),
			PageUp:    bind("page up", "pgup", "b"),
			PageDown:  bind("page down", "pgdown", "f"),
			Home:      bind("first", "g", "home"),
			End:       bind("last", "G", "end"),
			Filter:    bind("filter", "/"),
			Host:      bind("current host (new things go there)", "H"),
		},
		Containers: containerKeys{
			Logs:       bind("logs", "l"),
			Exec:       bind("shell (full screen)", "e"),
			Attach:     bind("attach (full screen)", "a"),
			ExecPane:   bind("shell in a pane", "E"),
			AttachPane: bind("attach in a pane", "A"),
			Top:        bind("processes (top)", "t"),
			Inspect:    bind("inspect", "i", "enter"),
			Timeline:   bind("timeline", "h"),
			Start:      bind("start", "s"),
			Stop:       bind("stop", "x"),
			Restart:    bind("restart", "r"),
			Kill:       bind("kill (signal menu)", "K"),
			Pause:      bind("pause/unpause", "p"),
			Remove:     bind("remove", "d", "delete"),
			Rename:     bind("rename", "R"),
			Run:        bind("run a new container", "n"),
			Mark:       bind("mark", "space"),
			All:        bind("all/running only", "v"),
			SortNext:   bind("sort by next column", ">"),
			SortPrev:   bind("sort by previous column", "<"),
			SortRev:    bind("reverse sort", "-"),
			Fold:       bind("fold/unfold project", "z"),
			Up:         bind("compose up", "U"),
			Down:       bind("compose down (asks)", "D"),

			SortName:     bind("sort by name", "N"),
			SortImage:    bind("sort by image", "I"),
			SortStatus:   bind("sort by status", "S"),
			SortRestarts: bind("sort by restarts", "T"),
			SortCPU:      bind("sort by CPU", "C"),
			SortMem:      bind("sort by memory", "M"),
			SortPids:     bind("sort by pids", "P"),
			SortNet:      bind("sort by network", "W"),
			SortPorts:    bind("sort by ports", "O"),
		},
		Logs: logKeys{
			Timestamps: bind("timestamps", "t"),
			Wrap:       bind("wrap", "w"),
			Search:     bind("search", "/"),
			Next:       bind("next match", "n"),
			Prev:       bind("previous match", "N"),
			Since:      bind("since/tail", "s"),
			ExecPane:   bind("shell in a pane", "E"),
			Filter:     bind("filter: only matching lines", "F"),
			Context:    bind("context lines (filter)", "c"),
			Regex:      bind("regex/text (in the prompt)", "ctrl+r"),
		},
		Top: topKeys{
			Signal:   bind("signal the process", "K"),
			SortNext: bind("sort by next column", ">"),
			SortPrev: bind("sort by previous column", "<"),
			SortRev:  bind("reverse sort", "-"),
			ExecPane: bind("shell in a pane", "E"),
		},
		Images: imageKeys{
			Run:    bind("run from image", "n", "enter"),
			Remove: bind("remove", "d", "delete"),
			Prune:  bind("prune dangling", "P"),
			Pull:   bind("pull an image", "p"),
			Build:  bind("build from a Dockerfile", "B"),
			Layers: bind("layers and files", "l"),
		},
		Layers: layerKeys{
			Fold:      bind("fold/unfold dir", "space", "enter"),
			FoldAll:   bind("fold/unfold all", "z"),
			Changes:   bind("changes/whole tree", "c"),
			Aggregate: bind("this layer/aggregate", "a"),
		},
		Inspect: inspectKeys{
			Search: bind("search", "/"),
			Next:   bind("next match", "n"),
			Prev:   bind("previous match", "N"),
		},
		Events: eventKeys{
			Type:     bind("type filter", "t"),
			Action:   bind("action filter", "a"),
			Pause:    bind("pause/follow", "p"),
			Timeline: bind("timeline", "enter", "h"),
			Inspect:  bind("inspect", "i"),
		},
		Dialog: dialogKeys{
			Yes:    bind("yes", "y"),
			No:     bind("no", "n", "esc"),
			Select: bind("choose", "enter"),
		},
		Terminal: terminalKeys{
			Leave: bind("leave the terminal (keys back to berth)", "ctrl+]"),
			Close: bind("close the terminal pane", "X"),
			Cycle: bind("next terminal pane", "]"),
		},
	}
}

// bindings names every binding the way a keys file spells it:
// "<group>.<name>" in lower case, e.g. "containers.logs".
func (k *keyMap) bindings() map[string]*key.Binding {
	return map[string]*key.Binding{
		"global.quit": &k.Global.Quit, "global.forcequit": &k.Global.ForceQuit,
		"global.back": &k.Global.Back, "global.help": &k.Global.Help,
		"global.nextpane": &k.Global.NextPane, "global.mouse": &k.Global.Mouse,
		"global.copy": &k.Global.Copy, "global.up": &k.Global.Up,
		"global.down": &k.Global.Down, "global.pageup": &k.Global.PageUp,
		"global.pagedown": &k.Global.PageDown, "global.home": &k.Global.Home,
		"global.end": &k.Global.End, "global.filter": &k.Global.Filter,
		"global.host": &k.Global.Host,

		"containers.logs": &k.Containers.Logs, "containers.exec": &k.Containers.Exec,
		"containers.attach": &k.Containers.Attach, "containers.execpane": &k.Containers.ExecPane,
		"containers.attachpane": &k.Containers.AttachPane, "containers.top": &k.Containers.Top,
		"containers.inspect": &k.Containers.Inspect, "containers.timeline": &k.Containers.Timeline,
		"containers.start": &k.Containers.Start, "containers.stop": &k.Containers.Stop,
		"containers.restart": &k.Containers.Restart, "containers.kill": &k.Containers.Kill,
		"containers.pause": &k.Containers.Pause, "containers.remove": &k.Containers.Remove,
		"containers.rename": &k.Containers.Rename, "containers.run": &k.Containers.Run,
		"containers.mark": &k.Containers.Mark, "containers.all": &k.Containers.All,
		"containers.sortnext": &k.Containers.SortNext, "containers.sortprev": &k.Containers.SortPrev,
		"containers.sortrev": &k.Containers.SortRev, "containers.fold": &k.Containers.Fold,
		"containers.up": &k.Containers.Up, "containers.down": &k.Containers.Down,
		"containers.sortname": &k.Containers.SortName, "containers.sortimage": &k.Containers.SortImage,
		"containers.sortstatus": &k.Containers.SortStatus, "containers.sortrestarts": &k.Containers.SortRestarts,
		"containers.sortcpu": &k.Containers.SortCPU, "containers.sortmem": &k.Containers.SortMem,
		"containers.sortpids": &k.Containers.SortPids, "containers.sortnet": &k.Containers.SortNet,
		"containers.sortports": &k.Containers.SortPorts,

		"logs.timestamps": &k.Logs.Timestamps, "logs.wrap": &k.Logs.Wrap,
		"logs.search": &k.Logs.Search, "logs.next": &k.Logs.Next, "logs.prev": &k.Logs.Prev,
		"logs.since": &k.Logs.Since, "logs.execpane": &k.Logs.ExecPane,
		"logs.filter": &k.Logs.Filter, "logs.context": &k.Logs.Context, "logs.regex": &k.Logs.Regex,

		"top.signal": &k.Top.Signal, "top.sortnext": &k.Top.SortNext,
		"top.sortprev": &k.Top.SortPrev, "top.sortrev": &k.Top.SortRev,
		"top.execpane": &k.Top.ExecPane,

		"images.run": &k.Images.Run, "images.remove": &k.Images.Remove, "images.prune": &k.Images.Prune,
		"images.pull": &k.Images.Pull, "images.build": &k.Images.Build, "images.layers": &k.Images.Layers,

		"layers.fold": &k.Layers.Fold, "layers.foldall": &k.Layers.FoldAll,
		"layers.changes": &k.Layers.Changes, "layers.aggregate": &k.Layers.Aggregate,

		"inspect.search": &k.Inspect.Search, "inspect.next": &k.Inspect.Next, "inspect.prev": &k.Inspect.Prev,

		"events.type": &k.Events.Type, "events.action": &k.Events.Action, "events.pause": &k.Events.Pause,
		"events.timeline": &k.Events.Timeline, "events.inspect": &k.Events.Inspect,

		"terminal.leave": &k.Terminal.Leave, "terminal.close": &k.Terminal.Close,
		"terminal.cycle": &k.Terminal.Cycle,

		"dialog.yes": &k.Dialog.Yes, "dialog.no": &k.Dialog.No, "dialog.select": &k.Dialog.Select,
	}
}

// keysFile is the keys file's format: a JSON object from binding name to
// one key or a list of keys, in Bubble Tea's key names ("ctrl+x", "space",
// "pgdown", "F"). An empty list unbinds. Example:
//
//	{"containers.logs": "L", "global.down": ["j", "down", "ctrl+n"]}
type keysFile map[string]json.RawMessage

// loadKeys returns the default key map with the rebindings of the file at
// path applied; path "" means no file. Unknown names are an error; a
// rebinding that takes a key another binding has on the same screen is
// refused (refused says why, the binding keeps its default).
func loadKeys(path string) (_ keyMap, refused []error, _ error) {
	km := defaultKeys()
	if path == "" {
		return km, nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return km, nil, fmt.Errorf("read keys file: %w", err)
	}
	if err := km.apply(data); err != nil {
		return km, nil, fmt.Errorf("keys file %s: %w", path, err)
	}
	for _, r := range km.refuseConflicts(km.rebound()) {
		refused = append(refused, fmt.Errorf("keys file %s: %w", path, r))
	}
	return km, refused, nil
}

func (k *keyMap) apply(data []byte) error {
	var f keysFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	all := k.bindings()
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b, ok := all[strings.ToLower(name)]
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownBinding, name)
		}
		keys, err := parseKeyList(f[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		desc := b.Help().Desc
		if len(keys) == 0 {
			b.Unbind()
			continue
		}
		*b = bind(desc, keys...)
	}
	return nil
}

func parseKeyList(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("%w: want a string or a list of strings", ErrBadKeys)
	}
	return many, nil
}

// KeyInfo describes one binding for documentation: the name a keys file
// uses, its default keys and what it does.
type KeyInfo struct {
	Name string
	Keys []string
	Help string
}

// DefaultKeyMap lists every binding a keys file can set, by name, with
// its default keys (for `berth` to print, and for the README).
func DefaultKeyMap() []KeyInfo {
	km := defaultKeys()
	all := km.bindings()
	out := make([]KeyInfo, 0, len(all))
	for name, b := range all {
		out = append(out, KeyInfo{Name: name, Keys: b.Keys(), Help: b.Help().Desc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

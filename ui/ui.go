// Package ui is berth's full-screen terminal program, built on Bubble Tea
// v2. It owns the views, the key map and the styles, and talks to the
// runtime only through the Backend interface (backend.go), which
// EngineBackend implements over *engine.Engine. It shows one host or
// several (hosts.go), each reached through its own Backend.
//
// Start reading at root.go: one root model routes messages to one
// sub-model per screen (containers.go, logs.go, top.go, images.go,
// inspect.go, timeline.go, runform.go, buildform.go, help.go) and draws
// the header and the status line around it. The images screen carries a
// pull (pull.go) and a build with its streaming log (build.go), which
// outlive a visit to another screen. The containers screen gathers the
// containers of a compose project under a heading (composegroups.go; its
// health composehealth.go, its row composerows.go, its actions up, down,
// start, restart and stop composeactions.go with the Backend's
// ComposeUp/ComposeDown in adaptercompose.go) and opens the interleaved
// log of all its services (composelogs.go, the logs screen with a
// prefix per service). Kubernetes pods that `berth cri` runs are
// headings too (podgroups.go: their log, the fold). keys.go names every key, styles.go every
// colour. containersrefresh.go says what the list reads each second, so
// that watching costs the same with 10 containers or 500 (stats for the
// rows on screen only; under another screen, only the header's counts),
// and containerswatch.go how the list follows the host's events, reading
// again only the containers they name (every one every 30 s).
// Each screen file follows the same order: messages, model,
// init, update, view, commands. Only Update changes state; every backend
// call runs in a command; streams block on a channel, return one message
// and are re-armed in Update; messages carry the generation of the screen
// that asked for them, so a closed screen's late answers are dropped.
// terminal.go holds both ways into a container: the full-screen handoff
// (tea.Exec) and the embedded panes (x/vt's SafeEmulator); attach.go is
// how both attach (no signal proxying, the detach keys read by the
// program, CRLF for a container without a terminal). actions.go runs the
// container actions (on the marked rows or the selected one), keeps them
// while they run (the rows' Stopping…, the progress line) and hands
// those still running at the quit to berth's CLI (handover.go); jobs.go
// does the same for a project's actions and an image's removal, and
// quit.go decides what the quit hands over and when it asks first.
//
// styles.go has two sets of colours, for a dark background and a light
// one: theme.go picks (the terminal's answer, or BERTH_THEME).
// shorthelp.go fits a screen's keys in the footer; detachkeys.go holds
// the attach's detach keys (berth's detach-keys setting).
//
// Tests: fake_test.go is an in-memory Backend and the harness that drives
// the model; views are compared at 100x30 with testdata/*.golden (go test
// ./ui -update rewrites them). adapter_linux_test.go runs EngineBackend on
// real containers, e2e_linux_test.go drives the real binary in tmux.
package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/config"
	"berth/internal/exepages"
)

// Options configures Run. The zero value is a usable default.
type Options struct {
	// KeysFile is a JSON file rebinding keys (see keysFile); "" for none.
	KeysFile string
	// NoColor draws without colours; Run also honours NO_COLOR.
	NoColor bool
	// Theme forces the colours: "light", "dark", or "" and "auto" to ask
	// the terminal for its background (theme.go); Run takes it from
	// BERTH_THEME when it is "".
	Theme string
	// DetachKeys ends an attach, in docker's --detach-keys syntax ("" is
	// ctrl-p,ctrl-q), as the hints name it; give each EngineBackend the
	// same (WithDetachKeys). A bad one stops Run before it starts.
	DetachKeys string
	// NoMouse starts with mouse capture off (m toggles it).
	NoMouse bool
	// Interval between refreshes of what is on screen; 0 means a second.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RunSettings are berth's settings the run form applies as `berth
	// run` does (default network, cgroup parent, log options); nil means
	// the defaults.
	RunSettings *config.Config
	// Input and Output replace the terminal (tests); nil means the terminal.
	Input  io.Reader
	Output io.Writer
}

// frameRate is the most frames a second the program draws. Bubble
// Tea's default, 60, wakes the program 60 times a second to compare the
// view with the last one drawn, which costs a watching TUI more than its
// refreshes; 30 is still a frame within 33 ms of a key.
const frameRate = 30

// gcPercent is the garbage collector's target while the program runs
// (unless GOGC says otherwise). Watching 100 idle containers, its live
// heap is about 3 MiB and it allocates about 1 MiB a second; at Go's
// default, 100, the heap grows to twice the live one between
// collections and the runtime keeps what it freed, about 2 MiB more
// resident than at 50, which costs a collection every two seconds or so
// (well under 0.1% of a core).
const gcPercent = 50

// trimQuiet is how long after the program starts it gives back the
// binary's pages its start-up mapped.
const trimQuiet = 3 * time.Second

// Run opens the program on hosts, the first the current one (see
// hosts.go), and returns when the user quits or ctx ends. The terminal
// is restored on every path out.
func Run(ctx context.Context, hosts []HostBackend, opts Options) error {
	if os.Getenv("NO_COLOR") != "" {
		opts.NoColor = true
	}
	if os.Getenv("GOGC") == "" {
		prev := debug.SetGCPercent(gcPercent)
		if prev < 0 { // held as the process started (berth/internal/gcstart)
			prev = 100
		}
		defer debug.SetGCPercent(prev)
	}
	if opts.Theme == "" {
		opts.Theme = os.Getenv(EnvTheme)
	}
	m, err := newModel(ctx, hosts, opts)
	if err != nil {
		return err
	}
	// The screens' start-up maps most of the binary; watching uses a
	// part of it (see package exepages). A failed trim costs nothing but
	// the memory it would have given back: no screen is told.
	trim := &exepages.Trimmer{Quiet: trimQuiet}
	trim.Soon()
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(frameRate)}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	final, err := tea.NewProgram(m, popts...).Run()
	if fm, ok := final.(model); ok {
		fm.closeAll()
	}
	if err != nil {
		return fmt.Errorf("run terminal ui: %w", err)
	}
	return nil
}

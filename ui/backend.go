package ui

import (
	"context"
	"io"
	"time"

	"berth/engine"
	"berth/engine/events"
	"berth/images"
)

// Backend is everything the TUI asks of the runtime. *engine.Engine plus
// the image store satisfy it through EngineBackend; tests use a fake.
// Every call may block: the UI only makes them inside commands.
type Backend interface {
	// Host is one sample of the machine and of berth's stores, for the
	// header on every screen.
	Host(ctx context.Context) (Host, error)

	List(ctx context.Context, opts engine.ListOptions) ([]*engine.Container, error)
	Inspect(ctx context.Context, ref string) (*engine.Container, error)
	Stats(ctx context.Context, ref string) (*engine.Stats, error)
	Top(ctx context.Context, ref string) ([]engine.Process, error)
	// Logs calls fn for every entry until the log ends (or, with Follow,
	// until ctx is done).
	Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error
	// Events is the durable history of one container, oldest first.
	Events(ctx context.Context, ref string) ([]Event, error)
	// FollowEvents sends the host's events (containers, images, networks,
	// volumes) recorded from since on, oldest first (since zero: all the
	// event log keeps), then each new one as it is recorded, until ctx
	// ends; the channel closes then, or when the stream breaks.
	FollowEvents(ctx context.Context, since time.Time) (<-chan events.Event, error)
	// FollowNewEvents is FollowEvents of the events recorded from now
	// on only: it reads none of the log's history (the containers list
	// follows it, containerswatch.go).
	FollowNewEvents(ctx context.Context) (<-chan events.Event, error)

	// Run creates a container and starts it detached; pull is berth
	// run's --pull policy (host.PullMissing, …) for an image the store
	// lacks.
	Run(ctx context.Context, opts engine.CreateOptions, pull string) (*engine.Container, error)
	Start(ctx context.Context, ref string) error
	Stop(ctx context.Context, ref string, opts engine.StopOptions) error
	Restart(ctx context.Context, ref string, opts engine.StopOptions) error
	Kill(ctx context.Context, ref string, signal string) error
	Pause(ctx context.Context, ref string) error
	Unpause(ctx context.Context, ref string) error
	Remove(ctx context.Context, ref string, opts engine.RemoveOptions) error
	Rename(ctx context.Context, ref, newName string) error
	// Signal sends signal to one process of the container, named by its
	// host PID; the backend refuses a PID that is not the container's.
	Signal(ctx context.Context, ref string, hostPID int, signal string) error

	Images(ctx context.Context) ([]Image, error)
	// ImageLayers lists the layers of one image, newest first (as
	// `docker history`).
	ImageLayers(ctx context.Context, id string) ([]Layer, error)
	// LayerFiles is the image's file tree layer by layer, with the bytes
	// its later layers waste (the layers screen, layertree.go).
	LayerFiles(ctx context.Context, id string) (*images.LayerAnalysis, error)
	RemoveImage(ctx context.Context, ref string, force bool) error
	// Pull fetches an image from its registry, reporting progress (from
	// several goroutines) until it returns.
	Pull(ctx context.Context, ref string, progress func(PullProgress)) error
	// Build builds an image from a Dockerfile, handing output each line
	// of the build log (without its line ending) as it is written and
	// step each step as it starts and ends, one call of either at a time,
	// in order; it returns the image's ID ("sha256:<hex>").
	Build(ctx context.Context, req BuildRequest, output func(line string), step func(BuildStep)) (id string, err error)
	// PruneImages removes dangling images and reports how many bytes it freed.
	PruneImages(ctx context.Context) (removed int, freed uint64, err error)

	// Handoff prepares a full-screen session with the container, run by
	// tea.Exec: an interactive shell (Shell) or an attach to its main
	// process (Attach).
	Handoff(ctx context.Context, ref string, kind SessionKind) (Handoff, error)
	// OpenTerminal starts a session on a new PTY of the given size, for
	// the embedded terminal pane.
	OpenTerminal(ctx context.Context, ref string, kind SessionKind, cols, rows int) (Terminal, error)

	// ComposeUp brings a compose project up again (`compose up -d` in
	// its directory) from the files it was started from, read back from
	// labels, one of its containers' (the working directory and config
	// files docker compose records there); progress gets each line of
	// what is made, one call at a time.
	ComposeUp(ctx context.Context, labels map[string]string, progress func(line string)) error
	// ComposeDown stops and removes a compose project's containers and
	// networks, found by its label (`compose down -p project`); volumes
	// stay.
	ComposeDown(ctx context.Context, project string, progress func(line string)) error
}

// Host is the header's sample of the machine. CPU counters are
// cumulative (any unit, clock ticks as /proc/stat has them); the header
// turns two samples into a rate.
type Host struct {
	Time     time.Time
	CPUBusy  uint64 // all CPUs, time not idle since boot
	CPUTotal uint64 // all CPUs, all time since boot
	MemUsed  uint64
	MemTotal uint64
	DiskUsed uint64 // bytes under berth's data root
	Images   int
}

// Image is one row of the images screen.
type Image struct {
	ID         string // "sha256:<hex>"
	Repository string // "<none>" when dangling
	Tag        string // "<none>" when dangling
	Created    time.Time
	Size       uint64
	Containers int // containers created from it
	Dangling   bool
}

// PullProgress is one line of a pull's progress, as docker prints them:
// Action is "Pulling fs layer", "Downloading", "Download complete",
// "Extracting", "Pull complete", "Already exists" …
type PullProgress struct {
	ID      string // a short layer digest, or the reference
	Action  string
	Current int64 // bytes done
	Total   int64 // bytes expected; 0 when unknown
}

// BuildRequest is a build the user asked for: `berth build -f
// Dockerfile -t tag ContextDir`.
type BuildRequest struct {
	// ContextDir is the build context, absolute or relative to berth's
	// working directory.
	ContextDir string
	// Dockerfile is the Dockerfile's path; "" means ContextDir/Dockerfile.
	Dockerfile string
	// Tags name the image; none leaves it untagged (dangling).
	Tags []string
}

// Layer is one layer of an image, as `docker history` shows it.
type Layer struct {
	ID        string
	Created   time.Time
	CreatedBy string
	Size      uint64
	Comment   string
}

// Event is one entry of a container's history: Action is docker's event
// name (create, start, die, oom, restart, pause, unpause, kill, rename,
// destroy).
type Event struct {
	Time     time.Time
	Action   string
	ExitCode int    // for die
	Signal   string // for kill
	Restarts int    // restart count after a restart
	Detail   string // anything else worth a line (old name on rename …)
}

// SessionKind says what a terminal session runs.
type SessionKind int

const (
	// SessionShell is a login shell inside the container (the user's
	// shell from /etc/passwd, /bin/sh when there is none).
	SessionShell SessionKind = iota
	// SessionAttach is the container's main process; ctrl-p ctrl-q detaches.
	SessionAttach
)

func (k SessionKind) String() string {
	if k == SessionAttach {
		return "attach"
	}
	return "shell"
}

// Handoff is a session that takes over the whole terminal; it is what
// tea.Exec runs (ptyexec's type has this shape).
type Handoff interface {
	Run() error
	SetStdin(io.Reader)
	SetStdout(io.Writer)
	SetStderr(io.Writer)
}

// Terminal is a session on a PTY whose screen the UI emulates: reads are
// the child's output, writes its input.
type Terminal interface {
	io.ReadWriteCloser
	Resize(cols, rows int) error
	// Wait returns when the session ended.
	Wait() error
}

package engine

import (
	"io"
	"time"

	"berth/ptyexec"
)

// CreateOptions is what `berth create` and `berth run` hand the engine.
type CreateOptions struct {
	Name       string // "" picks a random adjective_noun name
	Config     ContainerConfig
	HostConfig HostConfig
	// NetworkAliases are --network-alias: more names the container has on
	// user-defined networks. IP is --ip, its address on its first network.
	NetworkAliases []string
	IP             string
	// Platform is --platform, os[/arch[/variant]]: the image must be
	// of it. "" takes the image as it is.
	Platform string
	// Warn receives create's warnings (a limit the host's cgroups cannot
	// apply, dropped), as dockerd answers them to the client; nil sends
	// them to the engine's Warn.
	Warn func(msg string) `json:"-"`
}

// TerminalSize is a window size in character cells.
type TerminalSize = ptyexec.Size

// AttachOptions connects a caller's streams to a container.
type AttachOptions struct {
	// Size and Resize give the window size when Stdin is not a terminal
	// berth can measure (the TUI's terminal pane): Size first, then each
	// value received from Resize.
	Size       TerminalSize
	Resize     <-chan TerminalSize
	Stdin      io.Reader // nil: no stdin
	Stdout     io.Writer
	Stderr     io.Writer // ignored for a tty container: a tty has one stream
	DetachKeys string    // docker's syntax, "" means ctrl-p,ctrl-q
	// NoDetachKeys passes the detach sequence on to the container like
	// any other input: a CRI attach, whose clients have none.
	NoDetachKeys bool
	// Terminal, when the container has a tty and Stdin is the user's
	// terminal, puts that terminal in raw mode for the session and forwards
	// window size changes; it is always restored.
	Terminal bool
	// NoSignalProxy keeps the signals berth receives from going to a
	// container without a tty (docker's --sig-proxy=false): a server
	// attaching for a remote client, whose client sends kill itself.
	NoSignalProxy bool
	// Started, when set, is called by Run once the container's command
	// runs (at once when it already ran), before its output is waited for.
	Started func()
}

// RunResult is how an attached session ended.
type RunResult struct {
	ExitCode int  // the container's exit code (128+N for signal N)
	Detached bool // the user pressed the detach keys; the container runs on
}

// StopOptions: Timeout nil uses the container's --stop-timeout, else 10s;
// a negative one waits as long as the container takes (docker's -t -1).
type StopOptions struct{ Timeout *time.Duration }

// RemoveOptions is `berth rm`'s flags.
type RemoveOptions struct {
	Force bool // kill a running container first
	// Volumes (-v) removes the container's anonymous volumes that no
	// other container uses; named volumes stay, as docker.
	Volumes bool
}

// ListOptions is `berth ps`'s flags. Filters use docker's keys: id, name,
// label, status, exited, ancestor, before, since.
type ListOptions struct {
	All     bool
	Filters map[string][]string
	Size    bool
	// Brief lists what a list of containers shows and its filters read,
	// and no more (see briefOf: no environment nor the rest of the host
	// settings), so that a process that keeps a list (the TUI) keeps a
	// small record per container rather than a whole one. The records
	// are shared with the engine's caches: the caller must not change
	// them. A brief list of every container (no IDs) costs what changed
	// since the last one, not what exists (listsnapshot.go).
	Brief bool
	// IDs, when not nil, lists only these containers (full IDs), in
	// any state, whatever All says: one that is gone, or not a full ID,
	// is left out. What it costs grows with len(IDs), not with the
	// containers there are: a face that keeps a list reads again only
	// those an event named (host.ListWatch). It takes no Filters.
	IDs []string
}

// LogsOptions is `berth logs`'s flags.
type LogsOptions struct {
	Follow bool
	Tail   int // -1: all
	Since  time.Time
	Until  time.Time
	Stdout bool
	Stderr bool
	// Transient says the callback is done with a LogEntry's Line when it
	// returns, so a local read may reuse its memory for the next line.
	Transient bool
	// Joined, with Transient, lets a local read hand the callback several
	// consecutive lines of one stream as one LogEntry (Time is the
	// first's): for a caller that prints lines without their times.
	Joined bool
}

// LogEntry is one line of a container's log (or, for a Joined read,
// several of one stream).
type LogEntry struct {
	Stream string // "stdout" or "stderr"
	Time   time.Time
	Line   []byte // with its trailing newline, when it had one
}

// WaitResult is what `berth wait` prints.
type WaitResult struct {
	ExitCode int
	Error    string
}

// Process is one process of a container, as `berth top` and the TUI's top
// screen show it. Counters are cumulative; rates come from two samples.
type Process struct {
	HostPID    int
	PID        int // inside the container's PID namespace
	PPID       int // host parent PID
	User       string
	State      string        // R, S, D, Z, T …
	CPUTime    time.Duration // user+system so far
	StartTime  time.Time
	RSS        uint64 // bytes
	ReadBytes  uint64 // from /proc/<pid>/io
	WriteBytes uint64
	TTY        string
	Command    string // full command line
}

// Stats is one sample of a container's resource use, read from its cgroup.
type Stats struct {
	ID          string
	Name        string
	Time        time.Time
	CPUUsage    time.Duration // cumulative; CPUPercent turns two samples into a rate
	MemoryUsage uint64
	MemoryLimit uint64 // host memory when unlimited
	PidsCurrent uint64
	PidsLimit   uint64
	BlockRead   uint64
	BlockWrite  uint64
	NetRx       uint64 // bytes received by the container's interfaces but lo (0 on the host's network)
	NetTx       uint64
	// MemoryCurrent is all memory charged, page cache included (where
	// MemoryUsage leaves out what the kernel can drop); MemoryRSS the
	// anonymous memory; PageFaults and MajorPageFaults the faults since
	// the container started.
	MemoryCurrent, MemoryRSS    uint64
	PageFaults, MajorPageFaults uint64
}

// Info is what `berth info` prints.
type Info struct {
	Containers        int
	ContainersRunning int
	ContainersPaused  int
	ContainersStopped int
	Images            int
	StorageDriver     string
	CgroupVersion     string
	CgroupDriver      string
	KernelVersion     string
	OperatingSystem   string
	NCPU              int
	MemTotal          uint64
	DataRoot          string
	RunRoot           string
	ConfigFile        string
	CgroupParent      string
	LogOpts           map[string]string
	// SecurityOptions are docker's: "name=seccomp,profile=builtin" says
	// containers get Docker's default seccomp profile unless told otherwise.
	SecurityOptions []string
}

// Package host is one machine as every face of berth sees it: the CLI, the
// full-screen program and the Docker Engine API server all call a Host, and
// none of them knows whether the machine behind it is this one (Local, over
// the engine and the image store) or another one reached over SSH (package
// api's client).
//
// Start with Host (below): it is Containers, Files and the stores reached
// from it (Images, Networks, Volumes, Events). Local, in local.go, is the
// Host of this machine; Open builds it from berth's settings.
//
// The interfaces use the engine's and the image store's own types, so a
// face formats what the engine reports without a copy in between.
//
// The rules every face shares live here too, once: the STATUS and PORTS
// texts (status.go, ports.go), which containers use an image, rmi and
// prune (images.go), run's pull policy (create.go); and, in runopts, run
// and create's options from flags to engine.CreateOptions.
package host

import (
	"context"
	"io"

	"berth/engine"
	"berth/engine/archive"
	"berth/engine/events"
	"berth/engine/network"
	"berth/engine/volumes"
	"berth/images"
)

// Version is berth's release.
const Version = "0.1.0-dev"

// Host is one machine: its containers and their files, and its image,
// network, volume and event stores.
type Host interface {
	Containers
	Files
	NetworkConnector
	Observer
	CPUClock
	TTYResizer
	// Images is the machine's image store.
	Images() Images
}

// Containers is the container side of a machine: lifecycle, streams and
// what is observed of running containers.
type Containers interface {
	Create(ctx context.Context, opts engine.CreateOptions) (*engine.Container, error)
	Start(ctx context.Context, ref string) error
	Run(ctx context.Context, ref string, opts engine.AttachOptions) (engine.RunResult, error)
	Attach(ctx context.Context, ref string, opts engine.AttachOptions) (engine.RunResult, error)
	Stop(ctx context.Context, ref string, opts engine.StopOptions) error
	Restart(ctx context.Context, ref string, opts engine.StopOptions) error
	Kill(ctx context.Context, ref string, signal string) error
	Pause(ctx context.Context, ref string) error
	Unpause(ctx context.Context, ref string) error
	Remove(ctx context.Context, ref string, opts engine.RemoveOptions) error
	Rename(ctx context.Context, ref, newName string) error
	Wait(ctx context.Context, ref string) (engine.WaitResult, error)
	List(ctx context.Context, opts engine.ListOptions) ([]*engine.Container, error)
	Inspect(ctx context.Context, ref string) (*engine.Container, error)
	Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error
	Top(ctx context.Context, ref string) ([]engine.Process, error)
	TopPS(ctx context.Context, ref string, psArgs []string) (*engine.TopResult, error)
	Stats(ctx context.Context, ref string) (*engine.Stats, error)
	Info(ctx context.Context) (*engine.Info, error)
	Check(ctx context.Context, opts engine.CheckOptions) ([]engine.Damage, error)
	Boot(ctx context.Context) ([]engine.BootResult, error)
	Exec(ctx context.Context, ref string, opts engine.ExecOptions) (ExecSession, error)
	Events() Events
	Networks() Networks
	Volumes() Volumes
	// BuildRunner runs a Dockerfile's RUN steps in containers.
	BuildRunner() images.Runner
}

// Files is what is reached inside a container's filesystem: cp, export,
// diff, commit; and update, which changes its resources.
type Files interface {
	StatPath(ctx context.Context, ref, p string, follow bool) (archive.Stat, error)
	ArchivePath(ctx context.Context, ref, p string, opts archive.WriteOptions, w io.Writer) error
	ExtractToDir(ctx context.Context, ref, dir string, r io.Reader, opts archive.ExtractOptions) error
	Export(ctx context.Context, ref string, w io.Writer) error
	Diff(ctx context.Context, ref string) ([]engine.Change, error)
	Commit(ctx context.Context, ref string, opts engine.CommitOptions) (string, error)
	Update(ctx context.Context, ref string, opts engine.UpdateOptions) error
}

// NetworkConnector is `network connect` and `network disconnect`.
type NetworkConnector interface {
	ConnectNetwork(network, container string, opts engine.ConnectOptions) error
	DisconnectNetwork(network, container string, force bool) error
}

// ExecSession is a process started in a running container, not yet
// waited for: Run connects its streams and returns its exit code, Detach
// leaves it running on its own.
type ExecSession interface {
	Run(stdin io.Reader, stdout, stderr io.Writer) (int, error)
	Detach() error
}

// Images is a machine's image store.
type Images interface {
	List() ([]*images.Image, error)
	Inventory() (*images.Inventory, error)
	Lookup(refOrID string) (*images.Image, error)
	Tag(source, ref string) error
	Remove(refOrID string, opts images.RemoveOptions) ([]images.Deleted, error)
	Import(r io.Reader, ref string, opts images.ImportOptions) (*images.Image, error)
	RootfsSize(containerID string) (int64, error)
	History(refOrID string) ([]images.History, error)
	// LayerFiles is the image's file tree layer by layer, with the bytes
	// later layers waste (images.AnalyzeLayers), as dive shows it.
	LayerFiles(refOrID string) (*images.LayerAnalysis, error)
	Save(w io.Writer, refs []string, opts images.SaveOptions) error
	Load(r io.Reader, opts images.LoadOptions) ([]images.Loaded, error)
	LoadLayout(dir string, opts images.LoadOptions) ([]images.Loaded, error)
	Prune(opts images.PruneOptions) (*images.PruneReport, error)
	PruneBuildCache() (int64, error)
	DiskUsage() (*images.DiskUsage, error)
	Pull(ctx context.Context, ref string, opts images.PullOptions) (*images.Image, error)
	Push(ctx context.Context, source, dest string, opts images.PushOptions) (string, error)
	Build(ctx context.Context, opts images.BuildOptions) (*images.Image, error)
}

// Networks is a machine's networks.
type Networks interface {
	List() ([]*network.Network, error)
	Inspect(ref string) (*network.Network, error)
	Create(opts network.CreateOptions) (*network.Network, error)
	Remove(ref string) error
	Prune() ([]string, error)
}

// Volumes is a machine's volumes.
type Volumes interface {
	Create(ctx context.Context, opts volumes.CreateOptions) (*engine.Volume, error)
	Inspect(ctx context.Context, name string) (*engine.Volume, error)
	List(ctx context.Context) ([]*engine.Volume, error)
	Users(ctx context.Context) (map[string][]string, error)
	Remove(ctx context.Context, name string, force bool) error
	Prune(ctx context.Context, opts engine.PruneOptions) ([]string, int64, error)
}

// Events is a machine's timeline of what happened to its objects.
type Events interface {
	Query(f events.Filter) ([]events.Event, error)
	Follow(ctx context.Context, f events.Filter) (<-chan events.Event, error)
}

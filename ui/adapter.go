package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"berth/engine"
	"berth/engine/events"
	"berth/host"
	"berth/images"
)

// EngineBackend is the Backend of a machine berth runs containers on,
// reached through host.Host (this machine's engine and image store, or
// another machine's): its containers, images and event log, with the
// rules the CLI applies too (package host). It keeps one thing of its
// own, the data root's disk use, which costs a walk of the tree and is
// refreshed at most every diskUsageEvery (less often when the walk is
// slow: diskUsageWait).
type EngineBackend struct {
	e        host.Host
	registry images.RegistryOptions
	cli      []string   // berth's CLI on this host: binary, global flags (handover.go)
	detach   detachKeys // ends an attach (detachkeys.go); zero: ctrl-p,ctrl-q

	mu       sync.Mutex
	disk     uint64
	diskAt   time.Time
	diskWait time.Duration // after diskAt, before the next walk (diskUsageWait)
	diskBusy bool
}

// diskUsageEvery is how stale the header's disk figure may get while
// walking the data root is quick; diskUsageWaits bounds what the walks
// cost as the root grows: after a walk the next one waits that many
// times as long as it took (0.1 % of a core).
const (
	diskUsageEvery = 30 * time.Second
	diskUsageWaits = 1000
)

// diskUsageWait is how long the header's disk figure stands after a
// walk of the data root that took took: with 500 containers a walk
// takes about 70 ms, and the figure then stands 70 s.
func diskUsageWait(took time.Duration) time.Duration {
	return max(diskUsageEvery, took*diskUsageWaits)
}

// EngineOption configures an EngineBackend.
type EngineOption func(*EngineBackend)

// WithRegistry gives pulls the mirrors, insecure registries and logins
// of berth's settings; without it pulls go to the registries as named.
func WithRegistry(opts images.RegistryOptions) EngineOption {
	return func(b *EngineBackend) { b.registry = opts }
}

// NewEngineBackend is the Backend over the machine e.
func NewEngineBackend(e host.Host, opts ...EngineOption) *EngineBackend {
	b := &EngineBackend{e: e}
	for _, o := range opts {
		o(b)
	}
	return b
}

var _ Backend = (*EngineBackend)(nil)

// Host samples the machine, counts images, and reports
// the last known disk use of the data root (walking it again in the
// background when it is stale).
func (b *EngineBackend) Host(ctx context.Context) (Host, error) {
	hs, err := b.e.HostStats(ctx)
	if err != nil {
		return Host{}, fmt.Errorf("host stats: %w", err)
	}
	h := Host{Time: hs.Time, CPUBusy: hs.CPUBusy, CPUTotal: hs.CPUTotal, MemTotal: hs.MemTotal}
	if hs.MemTotal > hs.MemAvailable {
		h.MemUsed = hs.MemTotal - hs.MemAvailable
	}
	imgs, err := b.e.Images().List()
	if err != nil {
		return Host{}, fmt.Errorf("list images: %w", err)
	}
	h.Images = len(imgs)
	h.DiskUsed = b.diskUsage(ctx)
	return h, nil
}

func (b *EngineBackend) diskUsage(ctx context.Context) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.diskBusy && time.Since(b.diskAt) > b.diskWait {
		b.diskBusy = true
		go func() {
			start := time.Now()
			n, err := b.e.DiskUsage(context.WithoutCancel(ctx))
			b.mu.Lock()
			defer b.mu.Unlock()
			b.diskBusy, b.diskAt = false, time.Now()
			b.diskWait = diskUsageWait(b.diskAt.Sub(start))
			if err == nil && n >= 0 {
				b.disk = uint64(n)
			}
		}()
	}
	return b.disk
}

func (b *EngineBackend) List(ctx context.Context, opts engine.ListOptions) ([]*engine.Container, error) {
	return b.e.List(ctx, opts)
}

func (b *EngineBackend) Inspect(ctx context.Context, ref string) (*engine.Container, error) {
	return b.e.Inspect(ctx, ref)
}

func (b *EngineBackend) Stats(ctx context.Context, ref string) (*engine.Stats, error) {
	return b.e.Stats(ctx, ref)
}

func (b *EngineBackend) Top(ctx context.Context, ref string) ([]engine.Process, error) {
	return b.e.Top(ctx, ref)
}

func (b *EngineBackend) Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error {
	return b.e.Logs(ctx, ref, opts, fn)
}

// Events reads the container's history from the engine's event log.
func (b *EngineBackend) Events(ctx context.Context, ref string) ([]Event, error) {
	evs, err := b.e.Events().Query(events.Filter{ID: ref, Types: []string{events.TypeContainer}})
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", ref, err)
	}
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventOf(e))
	}
	return out, nil
}

// FollowEvents follows the host's event log from since on (from its
// start when since is zero).
func (b *EngineBackend) FollowEvents(ctx context.Context, since time.Time) (<-chan events.Event, error) {
	if since.IsZero() {
		since = time.Unix(0, 1) // a Filter's zero Since would follow only new events
	}
	ch, err := b.e.Events().Follow(ctx, events.Filter{Since: since})
	if err != nil {
		return nil, fmt.Errorf("follow events: %w", err)
	}
	return ch, nil
}

// FollowNewEvents follows the host's event log from its end.
func (b *EngineBackend) FollowNewEvents(ctx context.Context) (<-chan events.Event, error) {
	ch, err := b.e.Events().Follow(ctx, events.Filter{})
	if err != nil {
		return nil, fmt.Errorf("follow events: %w", err)
	}
	return ch, nil
}

// eventOf turns an engine event into a timeline entry.
func eventOf(e events.Event) Event {
	a := e.Attributes
	action, _, _ := strings.Cut(e.Action, ":") // "exec_start: sh" is an exec_start
	ev := Event{Time: e.Time, Action: action, Signal: a[events.AttrSignal]}
	ev.ExitCode, _ = strconv.Atoi(a[events.AttrExitCode])
	ev.Restarts, _ = strconv.Atoi(a[events.AttrRestartCount])
	switch {
	case a[events.AttrOldName] != "":
		ev.Detail = "from " + strings.TrimPrefix(a[events.AttrOldName], "/") + " to " + strings.TrimPrefix(e.Name, "/")
	case a[events.AttrError] != "":
		ev.Detail = a[events.AttrError]
	case e.Action == events.ActionCreate && a[events.AttrImage] != "":
		ev.Detail = "from " + a[events.AttrImage]
	}
	return ev
}

// Run creates the container, pulling its image under the pull policy
// with the registry settings of WithRegistry, and starts it; a container
// that fails to start is left created, as `docker run -d` leaves it.
func (b *EngineBackend) Run(ctx context.Context, opts engine.CreateOptions, pull string) (*engine.Container, error) {
	c, err := host.CreatePulling(ctx, b.e, opts, pull, func(ref string, _ bool) error {
		_, err := b.e.Images().Pull(ctx, ref, images.PullOptions{Registry: b.registry})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := b.e.Start(ctx, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

func (b *EngineBackend) Start(ctx context.Context, ref string) error { return b.e.Start(ctx, ref) }
func (b *EngineBackend) Stop(ctx context.Context, ref string, opts engine.StopOptions) error {
	return b.e.Stop(ctx, ref, opts)
}
func (b *EngineBackend) Restart(ctx context.Context, ref string, opts engine.StopOptions) error {
	return b.e.Restart(ctx, ref, opts)
}
func (b *EngineBackend) Kill(ctx context.Context, ref, signal string) error {
	return b.e.Kill(ctx, ref, signal)
}
func (b *EngineBackend) Pause(ctx context.Context, ref string) error   { return b.e.Pause(ctx, ref) }
func (b *EngineBackend) Unpause(ctx context.Context, ref string) error { return b.e.Unpause(ctx, ref) }
func (b *EngineBackend) Remove(ctx context.Context, ref string, opts engine.RemoveOptions) error {
	return b.e.Remove(ctx, ref, opts)
}
func (b *EngineBackend) Rename(ctx context.Context, ref, newName string) error {
	return b.e.Rename(ctx, ref, newName)
}
func (b *EngineBackend) Signal(ctx context.Context, ref string, hostPID int, signal string) error {
	return b.e.SignalProcess(ctx, ref, hostPID, signal)
}

// Images lists the store as `docker images` does: a row per tag, one row
// for an untagged image, with the number of containers made from it.
func (b *EngineBackend) Images(ctx context.Context) ([]Image, error) {
	imgs, err := b.e.Images().List()
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	use, err := host.ListImageUse(ctx, b.e)
	if err != nil {
		return nil, err
	}
	var out []Image
	for _, img := range imgs {
		id := "sha256:" + strings.TrimPrefix(img.ID, "sha256:")
		row := Image{ID: id, Created: img.Created, Size: uint64(max(img.Size, 0)), Containers: use.Count(id)}
		if img.Dangling() {
			row.Repository, row.Tag, row.Dangling = "<none>", "<none>", true
			out = append(out, row)
			continue
		}
		for _, ref := range img.RepoTags {
			row.Repository, row.Tag = host.SplitRepoTag(ref)
			out = append(out, row)
		}
	}
	return out, nil
}

// Pull fetches ref with the registry settings given by WithRegistry.
func (b *EngineBackend) Pull(ctx context.Context, ref string, progress func(PullProgress)) error {
	_, err := b.e.Images().Pull(ctx, ref, images.PullOptions{Registry: b.registry, Progress: func(p images.Progress) {
		progress(PullProgress{ID: p.ID, Action: p.Action, Current: p.Current, Total: p.Total})
	}})
	return err
}

// Build builds with the engine's runner for RUN steps; base images
// missing from the store are pulled with the settings of WithRegistry,
// each layer's progress written to the log when its action changes.
// Steps come from the builder's Progress, under the log's lock so that
// they keep their place among the lines.
func (b *EngineBackend) Build(ctx context.Context, req BuildRequest, output func(string), step func(BuildStep)) (string, error) {
	log := &lineWriter{emit: output}
	store := b.e.Images()
	img, err := store.Build(ctx, images.BuildOptions{
		ContextDir: req.ContextDir,
		Dockerfile: req.Dockerfile,
		Tags:       req.Tags,
		Runner:     b.e.BuildRunner(),
		Output:     log,
		Progress: func(st images.BuildStep) {
			log.mu.Lock()
			defer log.mu.Unlock()
			step(BuildStep{Number: st.Number, Count: st.Count, Instruction: st.Instruction, Cached: st.Cached, Done: st.Done})
		},
		Pull: func(ctx context.Context, ref string) (*images.Image, error) {
			fmt.Fprintf(log, "Pulling %s\n", ref)
			var mu sync.Mutex
			last := map[string]string{}
			return store.Pull(ctx, ref, images.PullOptions{Registry: b.registry, Progress: func(p images.Progress) {
				mu.Lock()
				defer mu.Unlock()
				if last[p.ID] != p.Action {
					last[p.ID] = p.Action
					fmt.Fprintf(log, "%s: %s\n", shortID(p.ID), p.Action)
				}
			}})
		},
	})
	log.flush()
	if err != nil {
		return "", err
	}
	return "sha256:" + strings.TrimPrefix(img.ID, "sha256:"), nil
}

// lineWriter hands each line written to it to emit, without its line
// ending; a line longer than lineWriterMax is handed over in pieces, and
// flush hands over an unfinished last line. Writes may come from several
// goroutines.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

// lineWriterMax bounds a line without an end (a progress bar redrawn
// with carriage returns).
const lineWriterMax = 64 << 10

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	start := 0
	for {
		i := bytes.IndexByte(w.buf[start:], '\n')
		if i < 0 {
			break
		}
		w.emit(strings.TrimSuffix(string(w.buf[start:start+i]), "\r"))
		start += i + 1
	}
	w.buf = append(w.buf[:0], w.buf[start:]...)
	if len(w.buf) >= lineWriterMax {
		w.emit(string(w.buf))
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = w.buf[:0]
	}
}

// ImageLayers is the image's history, newest step first.
func (b *EngineBackend) ImageLayers(ctx context.Context, id string) ([]Layer, error) {
	hist, err := b.e.Images().History(id)
	if err != nil {
		return nil, err
	}
	out := make([]Layer, len(hist))
	for i, h := range hist {
		out[i] = Layer{ID: h.ID, Created: h.Created, CreatedBy: h.CreatedBy, Size: uint64(max(h.Size, 0)), Comment: h.Comment}
	}
	return out, nil
}

// LayerFiles asks the host's image store (host.Images.LayerFiles).
func (b *EngineBackend) LayerFiles(ctx context.Context, id string) (*images.LayerAnalysis, error) {
	return b.e.Images().LayerFiles(id)
}

func (b *EngineBackend) RemoveImage(ctx context.Context, ref string, force bool) error {
	_, err := host.RemoveImage(ctx, b.e, b.e.Images(), ref, force)
	return err
}

// PruneImages prunes dangling images as `berth image prune` does, and
// counts the images untagged or deleted.
func (b *EngineBackend) PruneImages(ctx context.Context) (int, uint64, error) {
	rep, err := host.PruneImages(ctx, b.e, b.e.Images(), false)
	if err != nil {
		return 0, 0, err
	}
	n := 0
	for _, d := range rep.Deleted {
		if strings.HasPrefix(d.Deleted, "sha256:") || d.Untagged != "" {
			n++
		}
	}
	return n, uint64(max(rep.SpaceReclaimed, 0)), nil
}

// Handoff is a login shell on a new terminal (engine.Exec), or an attach
// to the container's main process, each run on the user's terminal by
// tea.Exec.
func (b *EngineBackend) Handoff(ctx context.Context, ref string, kind SessionKind) (Handoff, error) {
	if kind == SessionAttach {
		return &attachHandoff{ctx: ctx, e: b.e, ref: ref, detach: b.detach}, nil
	}
	s, err := b.e.Exec(ctx, ref, engine.ExecOptions{Tty: true})
	if err != nil {
		return nil, err
	}
	return &execHandoff{s: s}, nil
}

// execHandoff runs an engine exec session (which records its start and
// exit in the container's events) on the streams tea.Exec hands it.
type execHandoff struct {
	s              host.ExecSession
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (h *execHandoff) SetStdin(r io.Reader)  { h.stdin = r }
func (h *execHandoff) SetStdout(w io.Writer) { h.stdout = w }
func (h *execHandoff) SetStderr(w io.Writer) { h.stderr = w }

func (h *execHandoff) Run() error {
	_, err := h.s.Run(h.stdin, h.stdout, h.stderr)
	return err
}

// attachHandoff runs the program's attach (attach.go) on the streams
// tea.Exec hands it.
type attachHandoff struct {
	ctx            context.Context
	e              host.Host
	ref            string
	detach         detachKeys
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (a *attachHandoff) SetStdin(r io.Reader)  { a.stdin = r }
func (a *attachHandoff) SetStdout(w io.Writer) { a.stdout = w }
func (a *attachHandoff) SetStderr(w io.Writer) { a.stderr = w }

func (a *attachHandoff) Run() error {
	return runFullScreenAttach(a.ctx, a.e, a.ref, a.detach, a.stdin, a.stdout, a.stderr)
}

// OpenTerminal runs a shell (engine.Exec with a tty) or an attach with
// pipes for streams; the pane emulates the terminal on the other side.
func (b *EngineBackend) OpenTerminal(ctx context.Context, ref string, kind SessionKind, cols, rows int) (Terminal, error) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	t := &pipeTerminal{in: inW, out: outR, cancel: cancel, done: make(chan struct{}),
		resize: make(chan engine.TerminalSize, 1)}
	size := engine.TerminalSize{Width: uint16(cols), Height: uint16(rows)}
	var run func() error
	if kind == SessionAttach {
		var err error
		if run, err = paneAttach(ctx, b.e, ref, b.detach, inR, outW, size, t.resize, cancel); err != nil {
			cancel()
			return nil, err
		}
	} else {
		s, err := b.e.Exec(ctx, ref, engine.ExecOptions{Tty: true, Size: size, Resize: t.resize})
		if err != nil {
			cancel()
			return nil, err
		}
		run = func() error {
			_, err := s.Run(inR, outW, outW)
			return err
		}
		// A shell that already ended cannot be hung up; the pane closes
		// either way, as it does on a machine whose sessions cannot hang up.
		if h, ok := s.(hangupper); ok {
			t.hangup = func() { _ = h.Hangup() }
		}
	}
	go func() {
		t.err = run()
		outW.CloseWithError(io.EOF)
		_ = inR.Close() // an io.PipeReader's Close never fails
		close(t.done)
	}()
	return t, nil
}

// hangupper is an exec session that can hang up its terminal (SIGHUP, as
// a closed terminal window sends): this machine's engine sessions.
type hangupper interface{ Hangup() error }

// pipeTerminal is a session whose terminal lives on the far side of two
// pipes.
type pipeTerminal struct {
	in     *io.PipeWriter
	out    *io.PipeReader
	cancel context.CancelFunc
	done   chan struct{}
	err    error // set before done is closed
	once   sync.Once
	resize chan engine.TerminalSize // holds the latest size not yet taken
	hangup func()                   // a shell's: SIGHUP, as a closed terminal window sends
}

func (t *pipeTerminal) Read(p []byte) (int, error)  { return t.out.Read(p) }
func (t *pipeTerminal) Write(p []byte) (int, error) { return t.in.Write(p) }

// Resize hands the session the pane's new size; a size not yet taken is
// replaced, so the session always gets the latest.
func (t *pipeTerminal) Resize(cols, rows int) error {
	size := engine.TerminalSize{Width: uint16(cols), Height: uint16(rows)}
	for {
		select {
		case t.resize <- size:
			return nil
		case <-t.resize:
		}
	}
}

// Close ends the session: a hangup for a shell (whatever it is running),
// the context for an attach. What the session still writes meanwhile is
// drained, so it never blocks on a pane that no longer reads.
func (t *pipeTerminal) Close() error {
	t.once.Do(func() {
		t.cancel()
		if t.hangup != nil {
			t.hangup()
		}
		go func() { _, _ = io.Copy(io.Discard, t.out) }() // ends when the session does
		go func() { _ = t.in.Close() }()                  // an io.PipeWriter's Close never fails
	})
	return nil
}

func (t *pipeTerminal) Wait() error {
	<-t.done
	if errors.Is(t.err, context.Canceled) {
		return nil
	}
	return t.err
}

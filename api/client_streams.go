package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"berth/engine"
	"berth/ptyexec"
)

// Run starts the container with the caller's streams attached (attached
// before the start, so no output is lost) and returns how it ended.
func (c *Client) Run(ctx context.Context, ref string, opts engine.AttachOptions) (engine.RunResult, error) {
	return c.attach(ctx, ref, opts, true)
}

// Attach connects the caller's streams to a running container until it
// exits or the detach keys are pressed.
func (c *Client) Attach(ctx context.Context, ref string, opts engine.AttachOptions) (engine.RunResult, error) {
	return c.attach(ctx, ref, opts, false)
}

func (c *Client) attach(ctx context.Context, ref string, opts engine.AttachOptions, start bool) (engine.RunResult, error) {
	ctr, err := c.Inspect(ctx, ref)
	if err != nil {
		return engine.RunResult{}, err
	}
	hj, err := c.api.ContainerAttach(ctx, ref, client.ContainerAttachOptions{
		Stream: true, Stdin: opts.Stdin != nil, Stdout: true, Stderr: true, DetachKeys: opts.DetachKeys,
	})
	if err != nil {
		return engine.RunResult{}, c.fail("attach to container", ref, err)
	}
	defer hj.Close()
	// The stream does not end with ctx by itself: a caller that stops
	// reading the user's keys (the TUI's detach keys, a closed pane)
	// ends the session by ending ctx.
	defer context.AfterFunc(ctx, hj.Close)()
	waitCtx, stopWait := context.WithCancel(ctx)
	defer stopWait()
	cond := container.WaitConditionNotRunning
	if start {
		cond = container.WaitConditionNextExit
	}
	wait := c.api.ContainerWait(waitCtx, ctr.ID, client.ContainerWaitOptions{Condition: cond})
	if start {
		if err := c.Start(ctx, ctr.ID); err != nil {
			return engine.RunResult{}, err
		}
	}
	tty := ctr.Config.Tty
	restore, err := c.terminal(ctx, ctr.ID, opts, tty, false)
	if err != nil {
		return engine.RunResult{}, err
	}
	defer restore()
	if opts.Stdin != nil {
		go func() {
			if _, err := io.Copy(hj.Conn, opts.Stdin); err == nil {
				_ = hj.CloseWrite() // the stream may already be gone; the output copy reports that
			}
		}()
	}
	err = copyOutput(opts.Stdout, opts.Stderr, hj.Reader, tty)
	if ctx.Err() != nil {
		return engine.RunResult{}, ctx.Err()
	}
	if err != nil {
		return engine.RunResult{}, fmt.Errorf("attach to container %s on %s: %w", ref, c.endpoint, err)
	}
	// The stream ended: the container exited (its wait answers, even when
	// --rm removes it right after) or the detach keys were pressed (it
	// runs on, and the wait would not answer).
	for {
		select {
		case r := <-wait.Result:
			return engine.RunResult{ExitCode: int(r.StatusCode)}, nil
		case err := <-wait.Error:
			return engine.RunResult{}, c.fail("wait for container", ref, err)
		case <-time.After(time.Second):
		}
		now, err := c.Inspect(ctx, ctr.ID)
		if err != nil {
			continue // removed (--rm): the wait answers next
		}
		if now.State.Status == engine.StatusRunning || now.State.Status == engine.StatusPaused {
			return engine.RunResult{Detached: true}, nil
		}
	}
}

// copyOutput copies an attach or exec stream: raw for a tty, else
// docker's multiplexed stdout/stderr frames.
func copyOutput(stdout, stderr io.Writer, r io.Reader, tty bool) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	var err error
	if tty {
		_, err = io.Copy(stdout, r)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, r)
	}
	return err
}

// terminal puts the caller's terminal in raw mode (opts.Terminal) and
// sends the window size now and at each change to the container or, with
// exec, to the exec session id. The returned function restores the
// terminal and stops the resizing.
func (c *Client) terminal(ctx context.Context, id string, opts engine.AttachOptions, tty, exec bool) (func(), error) {
	if !tty {
		return func() {}, nil
	}
	resize := func(sz engine.TerminalSize) {
		var err error
		if exec {
			_, err = c.api.ExecResize(ctx, id, client.ExecResizeOptions{Height: uint(sz.Height), Width: uint(sz.Width)})
		} else {
			_, err = c.api.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: uint(sz.Height), Width: uint(sz.Width)})
		}
		_ = err // a resize the far side refuses leaves the old size; the session goes on
	}
	restore := func() error { return nil }
	size := opts.Size
	resizes := opts.Resize
	stopWinch := func() {}
	if f, ok := opts.Stdin.(*os.File); ok && opts.Terminal && ptyexec.IsTerminal(f) {
		r, err := ptyexec.MakeRaw(f)
		if err != nil {
			return nil, fmt.Errorf("terminal: %w", err)
		}
		restore = r
		if sz, err := ptyexec.GetSize(f); err == nil {
			size = sz
		}
		resizes, stopWinch = windowChanges(f)
	}
	if size.Height > 0 && size.Width > 0 {
		resize(size)
	}
	done := make(chan struct{})
	if resizes != nil {
		go func() {
			for {
				select {
				case sz, ok := <-resizes:
					if !ok {
						return
					}
					resize(sz)
				case <-done:
					return
				}
			}
		}()
	}
	return func() {
		close(done)
		stopWinch()
		_ = restore() // the terminal is the user's; nothing better to do if it will not go back
	}, nil
}

// windowChanges is the terminal's size at each SIGWINCH, until stop.
func windowChanges(f *os.File) (<-chan engine.TerminalSize, func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	out := make(chan engine.TerminalSize)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for {
			select {
			case <-sig:
				if sz, err := ptyexec.GetSize(f); err == nil {
					select {
					case out <- sz:
					case <-done:
						return
					}
				}
			case <-done:
				return
			}
		}
	}()
	return out, func() {
		signal.Stop(sig)
		close(done)
	}
}

// Logs reads the container's log through the API, with timestamps so that
// each entry keeps its time.
func (c *Client) Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error {
	ctr, err := c.Inspect(ctx, ref)
	if err != nil {
		return err
	}
	req := client.ContainerLogsOptions{ShowStdout: opts.Stdout, ShowStderr: opts.Stderr, Follow: opts.Follow, Timestamps: true, Tail: "all"}
	if opts.Tail >= 0 {
		req.Tail = strconv.Itoa(opts.Tail)
	}
	if !opts.Since.IsZero() {
		req.Since = fmt.Sprintf("%d.%09d", opts.Since.Unix(), opts.Since.Nanosecond())
	}
	if !opts.Until.IsZero() {
		req.Until = fmt.Sprintf("%d.%09d", opts.Until.Unix(), opts.Until.Nanosecond())
	}
	r, err := c.api.ContainerLogs(ctx, ref, req)
	if err != nil {
		return c.fail("logs of container", ref, err)
	}
	defer func() { _ = r.Close() }()
	if ctr.Config.Tty {
		return readLogLines(r, "stdout", fn)
	}
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(outW, errW, r)
		outW.CloseWithError(err)
		errW.CloseWithError(err)
	}()
	entries := make(chan engine.LogEntry)
	fail := make(chan error, 2)
	for _, s := range []struct {
		name string
		r    io.Reader
	}{{"stdout", outR}, {"stderr", errR}} {
		go func() {
			fail <- readLogLines(s.r, s.name, func(e engine.LogEntry) error {
				select {
				case entries <- e:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}()
	}
	open := 2
	for open > 0 {
		select {
		case e := <-entries:
			if err := fn(e); err != nil {
				_ = r.Close()
				return err
			}
		case err := <-fail:
			open--
			if err != nil {
				return fmt.Errorf("logs of container %s on %s: %w", ref, c.endpoint, err)
			}
		}
	}
	return nil
}

// readLogLines splits a timestamped log stream into entries.
func readLogLines(r io.Reader, stream string, fn func(engine.LogEntry) error) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			e := engine.LogEntry{Stream: stream, Line: line}
			if i := indexByte(line, ' '); i > 0 {
				if t, perr := time.Parse(time.RFC3339Nano, string(line[:i])); perr == nil {
					e.Time, e.Line = t, line[i+1:]
				}
			}
			if ferr := fn(e); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// Stats is one sample of the container's resource use.
func (c *Client) Stats(ctx context.Context, ref string) (*engine.Stats, error) {
	r, err := c.api.ContainerStats(ctx, ref, client.ContainerStatsOptions{Stream: false})
	if err != nil {
		return nil, c.fail("stats of container", ref, err)
	}
	defer func() { _ = r.Body.Close() }()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		return nil, fmt.Errorf("stats of container %s on %s: %w", ref, c.endpoint, err)
	}
	out := &engine.Stats{
		ID: s.ID, Name: trimSlash(s.Name), Time: s.Read,
		CPUUsage:    time.Duration(s.CPUStats.CPUUsage.TotalUsage),
		MemoryUsage: s.MemoryStats.Usage, MemoryLimit: s.MemoryStats.Limit,
		PidsCurrent: s.PidsStats.Current, PidsLimit: s.PidsStats.Limit,
	}
	for _, e := range s.BlkioStats.IoServiceBytesRecursive {
		switch e.Op {
		case "read", "Read":
			out.BlockRead += e.Value
		case "write", "Write":
			out.BlockWrite += e.Value
		}
	}
	for _, n := range s.Networks {
		out.NetRx += n.RxBytes
		out.NetTx += n.TxBytes
	}
	return out, nil
}

func trimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}

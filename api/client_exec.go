package api

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/client"

	"berth/engine"
	"berth/host"
)

// Exec creates an exec session in a running container; the process starts
// when its session is run (attached) or detached.
func (c *Client) Exec(ctx context.Context, ref string, opts engine.ExecOptions) (host.ExecSession, error) {
	req := client.ExecCreateOptions{
		User: opts.User, Privileged: opts.Privileged, TTY: opts.Tty,
		AttachStdin: true, AttachStdout: true, AttachStderr: !opts.Tty,
		Env: opts.Env, WorkingDir: opts.WorkingDir, Cmd: opts.Cmd,
	}
	if len(req.Cmd) == 0 {
		req.Cmd = []string{"/bin/sh"}
	}
	if opts.Tty && opts.Size.Height > 0 {
		req.ConsoleSize = client.ConsoleSize{Height: uint(opts.Size.Height), Width: uint(opts.Size.Width)}
	}
	r, err := c.api.ExecCreate(ctx, ref, req)
	if err != nil {
		return nil, c.fail("exec in container", ref, err)
	}
	return &execSession{c: c, ctx: ctx, id: r.ID, ref: ref, opts: opts}, nil
}

// execSession is an exec instance on the far side.
type execSession struct {
	c    *Client
	ctx  context.Context
	id   string
	ref  string
	opts engine.ExecOptions
}

// Run starts the process attached to the streams (the hijacked
// connection) and returns its exit code.
func (s *execSession) Run(stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	hj, err := s.c.api.ExecAttach(s.ctx, s.id, client.ExecAttachOptions{TTY: s.opts.Tty})
	if err != nil {
		return 0, s.c.fail("exec in container", s.ref, err)
	}
	defer hj.Close()
	restore, err := s.c.terminal(s.ctx, s.id, engine.AttachOptions{Stdin: stdin, Terminal: true, Size: s.opts.Size, Resize: s.opts.Resize}, s.opts.Tty, true)
	if err != nil {
		return 0, err
	}
	defer restore()
	if stdin != nil {
		go func() {
			if _, err := io.Copy(hj.Conn, stdin); err == nil {
				_ = hj.CloseWrite() // the stream may already be gone; the output copy reports that
			}
		}()
	}
	if err := copyOutput(stdout, stderr, hj.Reader, s.opts.Tty); err != nil {
		return 0, fmt.Errorf("exec in container %s on %s: %w", s.ref, s.c.endpoint, err)
	}
	// The stream ended; its exit code is asked for even when the caller
	// gave up meanwhile (a closed pane hangs up, then cancels).
	r, err := s.c.api.ExecInspect(context.WithoutCancel(s.ctx), s.id, client.ExecInspectOptions{})
	if err != nil {
		return 0, s.c.fail("exec in container", s.ref, err)
	}
	return r.ExitCode, nil
}

// Detach starts the process on its own, as docker exec -d.
func (s *execSession) Detach() error {
	if _, err := s.c.api.ExecStart(s.ctx, s.id, client.ExecStartOptions{Detach: true, TTY: s.opts.Tty}); err != nil {
		return s.c.fail("exec in container", s.ref, err)
	}
	return nil
}

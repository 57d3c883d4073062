package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"berth/engine"
	"berth/host"
	"berth/host/runopts"
	"berth/images"
)

func (a *app) runCommand() *cobra.Command {
	var f runopts.Flags
	cmd := newCommand("run [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image", minArgs(1),
		nil)
	cmd.Long = "Create and run a new container from an image.\n\n" +
		"Networking: the container joins the default bridge network unless --network\n" +
		"says otherwise (or default-network in the settings file): a network made\n" +
		"with `berth network create`, where containers find each other by name,\n" +
		"host (the host's network), or none (loopback only). -p publishes ports on\n" +
		"the host's addresses, 127.0.0.1 included."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runError(cmd.CommandPath(), a.runContainer(cmd, &f, args))
	}
	f.Register(cmd.Flags(), true)
	return cmd
}

func (a *app) createCommand() *cobra.Command {
	var f runopts.Flags
	cmd := newCommand("create [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.createContainer(cmd, &f, args)
		if err != nil {
			return createError(cmd.CommandPath(), err)
		}
		fmt.Fprintln(a.stdout, c.ID)
		return nil
	}
	f.Register(cmd.Flags(), false)
	return cmd
}

func (a *app) createContainer(cmd *cobra.Command, f *runopts.Flags, args []string) (_ *engine.Container, err error) {
	opts, warnings, err := f.CreateOptions(cmd.Flags(), args[0], args[1:], a.cfg, a.hostFiles())
	if err != nil {
		return nil, err
	}
	defer func() { err = runopts.DaemonSide(err) }()
	cid, err := openCIDFile(f.CIDFile())
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := cid.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for _, w := range warnings {
		fmt.Fprintln(a.stderr, "WARNING:", w)
	}
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	c, err := host.CreatePulling(cmd.Context(), eng, opts, f.Pull, func(ref string, missing bool) error {
		if missing {
			fmt.Fprintf(a.stderr, "Unable to find image '%s' locally\n", familiarName(ref))
		}
		return a.pullForRun(cmd, ref)
	})
	if err == nil {
		err = cid.write(c.ID)
	}
	return c, err
}

// hostFiles is what run options read from this machine.
func (a *app) hostFiles() runopts.HostFiles {
	return runopts.HostFiles{LookupEnv: a.sys.lookupEnv, Abs: filepath.Abs}
}

// pullForRun pulls an image for run or create, its progress on stderr as
// docker prints it there.
func (a *app) pullForRun(cmd *cobra.Command, ref string) error {
	store, err := a.images()
	if err != nil {
		return err
	}
	_, err = store.Pull(cmd.Context(), ref, images.PullOptions{
		Registry: a.registryOptions(a.cfg.MaxConcurrentDownloads),
		Progress: newProgressPrinter(a.stderr, a.sys.isTerminal(a.stderr)).update,
	})
	return err
}

// familiarName is a reference as docker shows it: "alpine" → "alpine:latest".
func familiarName(ref string) string {
	named, err := images.ParseReference(ref)
	if err != nil {
		return ref
	}
	return images.FamiliarReference(named.String())
}

// runContainer is `berth run`: create, then start detached (-d: print the
// ID) or run attached and end with the container's exit code.
func (a *app) runContainer(cmd *cobra.Command, f *runopts.Flags, args []string) error {
	terminal := f.TTY && f.Interactive && a.sys.isTerminal(a.stdin)
	if f.TTY && f.Interactive && !f.Detach && !terminal {
		return errors.New("the input device is not a TTY")
	}
	detachKeys, err := a.detachKeys(cmd, f.DetachKeys)
	if err != nil {
		return err
	}
	c, err := a.createContainer(cmd, f, args)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if f.Detach {
		if err := a.eng.Start(ctx, c.ID); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, c.ID)
		return nil
	}
	return a.runAttached(ctx, c, f.Interactive, terminal, f.SigProxy && !f.TTY, detachKeys)
}

// runAttached starts created container c with berth's streams attached
// (stdin when interactive; terminal puts the user's terminal in raw
// mode), forwarding berth's signals to it with sigProxy, and ends with
// its exit code.
func (a *app) runAttached(ctx context.Context, c *engine.Container, interactive, terminal, sigProxy bool, detachKeys string) error {
	attach := engine.AttachOptions{Stdout: a.stdout, Stderr: a.stderr, DetachKeys: detachKeys, Terminal: terminal}
	if interactive {
		attach.Stdin = a.stdin
	}
	attachStreams(c.Config, &attach)
	if sigProxy {
		stop := a.proxySignals(ctx, c.ID)
		defer stop()
	}
	res, err := a.eng.Run(ctx, c.ID, attach)
	if err != nil {
		return err
	}
	if res.Detached {
		return nil
	}
	return exitStatus(res.ExitCode)
}

// attachStreams leaves in opts only the streams the container attaches.
func attachStreams(cc engine.ContainerConfig, opts *engine.AttachOptions) {
	if !cc.AttachStdout {
		opts.Stdout = nil
	}
	if !cc.AttachStderr {
		opts.Stderr = nil
	}
	if !cc.AttachStdin {
		opts.Stdin = nil
	}
}

// proxySignals forwards the signals a user sends berth to the container, as
// docker run's --sig-proxy does, until stop is called.
func (a *app) proxySignals(ctx context.Context, id string) (stop func()) {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				name := unix.SignalName(s.(syscall.Signal))
				if err := a.eng.Kill(ctx, id, name); err != nil {
					a.log.Debug("forward signal", "signal", name, "err", err)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

func (a *app) startCommand() *cobra.Command {
	var attach, interactive bool
	var detachKeys string
	cmd := newCommand("start [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers", minArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		eng, err := a.engine()
		if err != nil {
			return err
		}
		if attach || interactive {
			if len(args) > 1 {
				return usageError(cmd.CommandPath(), errors.New("you cannot start and attach multiple containers at once"))
			}
			keys, err := a.detachKeys(cmd, detachKeys)
			if err != nil {
				return err
			}
			opts := engine.AttachOptions{Stdout: a.stdout, Stderr: a.stderr, DetachKeys: keys}
			if interactive {
				opts.Stdin = a.stdin
				opts.Terminal = a.sys.isTerminal(a.stdin)
			}
			// Run attaches from the first byte of output, or attaches to a
			// container that already runs.
			res, err := eng.Run(cmd.Context(), args[0], opts)
			if err != nil || res.Detached {
				return err
			}
			return exitStatus(res.ExitCode)
		}
		return a.forEach(args, func(ref string) error { return eng.Start(cmd.Context(), ref) })
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "attach STDOUT/STDERR and forward signals")
	cmd.Flags().BoolVarP(&interactive, "interactive", "i", false, "attach container's STDIN")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

// detachKeys is the detach sequence of an attach: flag (--detach-keys),
// else berth's detach-keys setting; a bad flag is a usage error, a bad
// setting berth's own (125), as a bad settings file is.
func (a *app) detachKeys(cmd *cobra.Command, flag string) (string, error) {
	keys, err := runopts.DetachKeys(flag, a.cfg)
	switch {
	case err != nil && flag != "":
		return "", usageError(cmd.CommandPath(), err)
	case err != nil:
		return "", &statusError{err: err, code: exitBerth}
	}
	return keys, nil
}

func (a *app) attachCommand() *cobra.Command {
	var noStdin, sigProxy bool
	var detachKeys string
	cmd := newCommand("attach [OPTIONS] CONTAINER", "Attach local standard input, output, and error streams to a running container", exactArgs(1), nil)
	cmd.Long = "Attach to a running container's streams; ctrl-p ctrl-q (or --detach-keys, or the\n" +
		"detach-keys setting) detaches and leaves it running. berth ends with the container's exit code."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		keys, err := a.detachKeys(cmd, detachKeys)
		if err != nil {
			return err
		}
		eng, err := a.engine()
		if err != nil {
			return err
		}
		c, err := eng.Inspect(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		opts := engine.AttachOptions{Stdout: a.stdout, Stderr: a.stderr, DetachKeys: keys}
		if !noStdin && c.Config.OpenStdin {
			opts.Stdin = a.stdin
			opts.Terminal = c.Config.Tty && a.sys.isTerminal(a.stdin)
		}
		if sigProxy && !c.Config.Tty {
			stop := a.proxySignals(cmd.Context(), c.ID)
			defer stop()
		}
		res, err := eng.Attach(cmd.Context(), c.ID, opts)
		if err != nil || res.Detached {
			return err
		}
		return exitStatus(res.ExitCode)
	}
	flags := cmd.Flags()
	flags.BoolVar(&noStdin, "no-stdin", false, "do not attach STDIN")
	flags.BoolVar(&sigProxy, "sig-proxy", true, "proxy all received signals to the process (without a TTY)")
	flags.StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

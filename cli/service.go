package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"berth/api"
	"berth/host"
)

// machine is the opened host as a whole host.Host, for the API server.
func (a *app) machine() (host.Host, error) {
	eng, err := a.engine()
	if err != nil {
		return nil, err
	}
	h, ok := eng.(host.Host)
	if !ok {
		return nil, errors.New("this engine cannot serve the Docker API")
	}
	return h, nil
}

// systemServiceCommand is `berth system service [URI]`: the Docker Engine
// API on a unix socket, for the docker CLI, docker-compose and the SDKs.
func (a *app) systemServiceCommand() *cobra.Command {
	cmd := newCommand("service [OPTIONS] [URI]", "Serve the Docker Engine API", maxArgs(1), nil)
	cmd.Annotations = map[string]string{localOnly: "true"}
	cmd.Long = "Serve the Docker Engine API (versions " + api.MinVersion + " to " + api.MaxVersion + ") until interrupted, so\n" +
		"that the docker CLI, docker-compose and the Docker SDKs manage berth's\n" +
		"containers: DOCKER_HOST=unix://PATH. URI is unix://PATH; the default is\n" +
		"api.sock in berth's run directory, readable by root only. Containers\n" +
		"keep running when the service stops.\n\n" +
		"URI tcp://ADDR:PORT serves on TCP, only with --tlsverify and the three\n" +
		"certificate files (clients must present a certificate the CA signed);\n" +
		"plain TCP is refused. Started by systemd's berth.socket (socket\n" +
		"activation), it serves the socket systemd passed."
	var opts serviceOptions
	flags := cmd.Flags()
	flags.IntVarP(&opts.idleSeconds, "time", "t", 0, "seconds without a connection before the service exits (0: never)")
	flags.BoolVar(&opts.tlsVerify, "tlsverify", false, "serve TCP with TLS and require client certificates signed by --tlscacert")
	flags.StringVar(&opts.tls.CA, "tlscacert", "", "CA certificate that signs the clients' certificates")
	flags.StringVar(&opts.tls.Cert, "tlscert", "", "the service's TLS certificate")
	flags.StringVar(&opts.tls.Key, "tlskey", "", "the service's TLS key")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if opts.idleSeconds < 0 {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid --time %d: seconds, 0 for never", opts.idleSeconds))
		}
		l, err := a.serviceListener(cmd, args, opts)
		if err != nil {
			return err
		}
		h, err := a.machine()
		if err != nil {
			_ = l.Close()
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		idle := api.NewIdleListener(l, time.Duration(opts.idleSeconds)*time.Second)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-idle.Idle():
				a.log.Info("no connection for the idle time, stopping", "seconds", opts.idleSeconds)
				cancel()
			case <-ctx.Done():
			}
		}()
		return api.NewServer(h, a.log).Serve(ctx, idle)
	}
	return cmd
}

// listenUnix listens on a unix socket at path that only root may use,
// replacing a socket a stopped service left behind.
func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			_ = c.Close()
			return nil, fmt.Errorf("listen on %s: a service already answers there", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("listen on %s: %w", path, err)
		}
	}
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}

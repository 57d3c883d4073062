package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

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
	cmd.Long = "Serve the Docker Engine API (versions " + api.MinVersion + " to " + api.MaxVersion + ") until interrupted, so\n" +
		"that the docker CLI, docker-compose and the Docker SDKs manage berth's\n" +
		"containers: DOCKER_HOST=unix://PATH. URI is unix://PATH; the default is\n" +
		"api.sock in berth's run directory, readable by root only. Containers\n" +
		"keep running when the service stops."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		uri := "unix://" + filepath.Join(a.cfg.RunRoot, "api.sock")
		if len(args) == 1 {
			uri = args[0]
		}
		path, ok := strings.CutPrefix(uri, "unix://")
		if !ok || path == "" {
			return usageError(cmd.CommandPath(), fmt.Errorf("invalid URI %q: only unix://PATH is served", uri))
		}
		h, err := a.machine()
		if err != nil {
			return err
		}
		l, err := listenUnix(path)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return api.NewServer(h, a.log).Serve(ctx, l)
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

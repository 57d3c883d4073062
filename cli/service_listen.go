package cli

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"berth/api"
)

// serviceOptions are `berth system service`'s flags.
type serviceOptions struct {
	idleSeconds int
	tlsVerify   bool
	tls         api.TLSFiles
}

// serviceListener is where the service answers: the socket systemd passed
// (socket activation), else URI: unix://PATH (default api.sock in the run
// root) or tcp://ADDR with TLS client certificates.
func (a *app) serviceListener(cmd *cobra.Command, args []string, opts serviceOptions) (net.Listener, error) {
	l, err := api.ActivationListener(a.sys.getenv, os.Getpid())
	if err != nil {
		return nil, err
	}
	if l != nil {
		if len(args) == 1 {
			_ = l.Close()
			return nil, usageError(cmd.CommandPath(), fmt.Errorf("started by systemd socket activation, the socket is the one systemd passed: drop the URI %q", args[0]))
		}
		return l, nil
	}
	uri := "unix://" + filepath.Join(a.cfg.RunRoot, "api.sock")
	if len(args) == 1 {
		uri = args[0]
	}
	if addr, ok := strings.CutPrefix(uri, "tcp://"); ok {
		return listenTLS(cmd, uri, addr, opts)
	}
	if opts.tlsVerify {
		return nil, usageError(cmd.CommandPath(), fmt.Errorf("--tlsverify is for tcp://ADDR, not %q", uri))
	}
	path, ok := strings.CutPrefix(uri, "unix://")
	if !ok || path == "" {
		return nil, usageError(cmd.CommandPath(), fmt.Errorf("invalid URI %q: serve unix://PATH, or tcp://ADDR:PORT with --tlsverify", uri))
	}
	return listenUnix(path)
}

// listenTLS listens on TCP with TLS, requiring client certificates, as
// dockerd --tlsverify; plain TCP is refused.
func listenTLS(cmd *cobra.Command, uri, addr string, opts serviceOptions) (net.Listener, error) {
	if !opts.tlsVerify {
		return nil, usageError(cmd.CommandPath(), fmt.Errorf("refusing to serve the API on plain TCP %s: anyone who reaches the port would be root on this machine; "+
			"add --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY (clients need certificates the CA signed), or reach this host over ssh://", uri))
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return nil, usageError(cmd.CommandPath(), fmt.Errorf("invalid URI %q: tcp://ADDR:PORT", uri))
	}
	cfg, err := api.ServerTLS(opts.tls)
	if err != nil {
		return nil, usageError(cmd.CommandPath(), err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", uri, err)
	}
	return tls.NewListener(l, cfg), nil
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"berth/api"
)

// systemDialStdioCommand is `berth system dial-stdio`: one API connection
// on stdin and stdout, what the docker CLI runs on the far side of an
// ssh:// host (as `docker system dial-stdio`) and what berth's own client
// runs there (as `berth system dial-stdio`).
//
// When a service answers on the socket (-H unix://PATH, else api.sock in
// the run root), the streams are bridged to it. Otherwise this process
// serves the API itself for this one connection: berth has no daemon to
// start, containers run under their own shims, so a service per
// connection is the service started on demand, and it ends with the
// connection (nothing is left running on the far side).
func (a *app) systemDialStdioCommand() *cobra.Command {
	cmd := newCommand("dial-stdio", "Proxy the stdio stream to the API (for ssh:// hosts)", noArgs, nil)
	cmd.Long = "Connect stdin and stdout to berth's Docker Engine API: to the service on\n" +
		"its socket when one answers, else to an API served by this process for the\n" +
		"one connection. The docker CLI runs it on the far side of DOCKER_HOST=ssh://\n" +
		"(as `docker system dial-stdio`), berth's -H ssh:// as `berth system\n" +
		"dial-stdio`. Not meant to be run by hand."
	cmd.Hidden = true
	cmd.Annotations = map[string]string{localOnly: "true"}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conn, err := a.dialService(cmd.Context())
		if err != nil {
			return err
		}
		defer conn.Close()
		return bridge(conn, a.stdin, a.stdout)
	}
	return cmd
}

// dialService connects to the API: the service on the socket -H names, or
// the default socket's when one answers there, else a server in this
// process over a socket pair.
func (a *app) dialService(ctx context.Context) (net.Conn, error) {
	if a.host != "" {
		path, ok := strings.CutPrefix(a.host, "unix://")
		if !ok {
			return nil, fmt.Errorf("dial-stdio: -H %q: only a unix:// socket on this machine can be bridged", a.host)
		}
		c, err := net.Dial("unix", path)
		if err != nil {
			return nil, fmt.Errorf("dial-stdio: connect to %s: %w", a.host, err)
		}
		return c, nil
	}
	sock := filepath.Join(a.cfg.RunRoot, "api.sock")
	if c, err := net.Dial("unix", sock); err == nil {
		return c, nil
	}
	h, err := a.machine()
	if err != nil {
		return nil, err
	}
	ours, theirs, err := socketPair()
	if err != nil {
		return nil, fmt.Errorf("dial-stdio: %w", err)
	}
	srv := api.NewServer(h, a.log)
	go func() {
		if err := srv.ServeConn(ctx, theirs); err != nil {
			a.log.Info("dial-stdio: serve", "err", err)
		}
		theirs.Close()
	}()
	return ours, nil
}

// socketPair is two connected unix sockets: unlike net.Pipe they can be
// half-closed, which an attach stream needs when its input ends.
func socketPair() (net.Conn, net.Conn, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socket pair: %w", err)
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "dial-stdio")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			if i == 1 {
				conns[0].Close()
			} else {
				syscall.Close(fds[1])
			}
			return nil, nil, fmt.Errorf("socket pair: %w", err)
		}
		conns[i] = c
	}
	return conns[0], conns[1], nil
}

// bridge copies in to conn and conn to out. The end of in half-closes
// conn (the server still answers); the server closing conn ends the
// bridge.
func bridge(conn net.Conn, in io.Reader, out io.Writer) error {
	go func() {
		if _, err := io.Copy(conn, in); err != nil && !errors.Is(err, net.ErrClosed) {
			conn.Close()
			return
		}
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite() // the server may have closed already: the copy below ends then
		}
	}()
	_, err := io.Copy(out, conn)
	if c, ok := out.(io.Closer); ok {
		c.Close()
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("dial-stdio: %w", err)
	}
	return nil
}

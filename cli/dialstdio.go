package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// onDemandIdle is how long a service that dial-stdio started waits for
// the next connection before it exits.
const onDemandIdle = "60"

// systemDialStdioCommand is `berth system dial-stdio`: one API connection
// on stdin and stdout, what the docker CLI runs on the far side of an
// ssh:// host (as `docker system dial-stdio`) and what berth's own client
// runs there (as `berth system dial-stdio`).
//
// The streams are bridged to the service on the socket -H names, else
// on api.sock in the run root; when none answers there, dial-stdio starts
// one (`berth system service --time 60`, in a session of its own, its PID
// in api.pid beside the socket) and bridges to it. One service for all
// the connections of a client matters: the docker CLI opens several for
// one command (attach, start and wait of `docker run`; create and start
// of an exec), and exec instances live in the service that created them.
func (a *app) systemDialStdioCommand() *cobra.Command {
	cmd := newCommand("dial-stdio", "Proxy the stdio stream to the API (for ssh:// hosts)", noArgs, nil)
	cmd.Long = "Connect stdin and stdout to berth's Docker Engine API service, starting\n" +
		"the service (it exits after " + onDemandIdle + "s without a connection) when none answers.\n" +
		"The docker CLI runs it on the far side of DOCKER_HOST=ssh:// (as `docker\n" +
		"system dial-stdio`), berth's -H ssh:// as `berth system dial-stdio`.\n" +
		"Not meant to be run by hand."
	cmd.Hidden = true
	cmd.Annotations = map[string]string{localOnly: "true"}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conn, err := a.dialService()
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close() }()
		return bridge(conn, a.stdin, a.stdout)
	}
	return cmd
}

// dialService connects to the service on the socket -H names, or on the
// default socket, starting it there when none answers.
func (a *app) dialService() (net.Conn, error) {
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
	unlock, err := lockServiceStart(sock)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c, err := net.Dial("unix", sock); err == nil {
		return c, nil // started by the dial-stdio that held the lock
	}
	exited, err := a.startService(sock)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			return c, nil
		}
		select {
		case werr := <-exited:
			// Another dial-stdio may have started one first: its socket
			// answers then, and this service refused to replace it.
			if c, err := net.Dial("unix", sock); err == nil {
				return c, nil
			}
			return nil, fmt.Errorf("dial-stdio: the service it started exited (%w); see %s", werr, serviceLog(sock))
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("dial-stdio: the service it started does not answer on %s: %w", sock, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serviceLog is where a service started on demand writes its log.
func serviceLog(sock string) string { return filepath.Join(filepath.Dir(sock), "api.log") }

// startService starts `berth system service` on sock in a session of its
// own, with no tie to this process's streams (sshd would wait for it),
// and records its PID in api.pid beside the socket. The channel receives
// its exit.
func (a *app) startService(sock string) (<-chan error, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("dial-stdio: start the service: %w", err)
	}
	var args []string
	for _, f := range []struct{ flag, value string }{
		{"--root", a.overrides.DataRoot}, {"--run-root", a.overrides.RunRoot}, {"--config", a.overrides.ConfigFile},
	} {
		if f.value != "" {
			args = append(args, f.flag, f.value)
		}
	}
	args = append(args, "system", "service", "--time", onDemandIdle, "unix://"+sock)
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		return nil, fmt.Errorf("dial-stdio: start the service: %w", err)
	}
	logFile, err := os.OpenFile(serviceLog(sock), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dial-stdio: start the service: %w", err)
	}
	defer func() { _ = logFile.Close() }()
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dial-stdio: start the service: %w", err)
	}
	pidFile := filepath.Join(filepath.Dir(sock), "api.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
		a.log.Warn("dial-stdio: record the service's PID", "file", pidFile, "err", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return exited, nil
}

// bridge copies in to conn and conn to out. The end of in half-closes
// conn (the server still answers); the server closing conn ends the
// bridge.
func bridge(conn net.Conn, in io.Reader, out io.Writer) error {
	go func() {
		if _, err := io.Copy(conn, in); err != nil && !errors.Is(err, net.ErrClosed) {
			_ = conn.Close()
			return
		}
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite() // the server may have closed already: the copy below ends then
		}
	}()
	_, err := io.Copy(out, conn)
	if c, ok := out.(io.Closer); ok {
		_ = c.Close()
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("dial-stdio: %w", err)
	}
	return nil
}

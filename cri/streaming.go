package cri

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-streaming/pkg/streaming"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"

	"berth/engine"
	"berth/ptyexec"
)

// Exec, Attach and PortForward answer with a URL on the streaming server
// kubelet expects (k8s.io/cri-streaming, the home of kubelet's former
// pkg/cri/streaming since Kubernetes 1.36): the call stores the request
// under a one-time token, and the client (kubelet, crictl) then opens
// the URL and speaks SPDY or WebSocket to it. The server hands the
// streams to streamRuntime, which runs them on the engine: an exec as
// `berth exec` does, an attach through the shim's attach socket as
// `berth attach` does, a port forward by a connection made inside the
// pod's network namespace (streaming_linux.go).

// DefaultStreamAddress is where the streaming server listens when
// Options.StreamAddress is "": the loopback address on a free port.
// kubelet, on the same node, proxies the streams its clients ask for,
// so a loopback address is enough.
const DefaultStreamAddress = "127.0.0.1:0"

// streamServer is the streaming server on its listener.
type streamServer struct {
	streaming.Server
	http *http.Server
	l    net.Listener
}

// listenStreams makes the streaming server over s's engine and listens
// on addr ("host:port"; port 0 picks a free one). The URLs it answers
// name the address it listens on, the loopback address for an
// unspecified one (0.0.0.0, ::).
func (s *Server) listenStreams(addr string) (*streamServer, error) {
	if addr == "" {
		addr = DefaultStreamAddress
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for cri streams on %s: %w", addr, err)
	}
	tcp, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		_ = l.Close() // not served
		return nil, fmt.Errorf("listen for cri streams on %s: not a tcp address", addr)
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		// Go may report 0.0.0.0 as ::: the address asked for tells.
		ip = net.IPv4(127, 0, 0, 1)
		if host, _, _ := net.SplitHostPort(addr); strings.Contains(host, ":") {
			ip = net.IPv6loopback
		}
	}
	cfg := streaming.DefaultConfig
	cfg.Addr = l.Addr().String()
	cfg.BaseURL = &url.URL{Scheme: "http", Host: net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))}
	srv, err := streaming.NewServer(cfg, streamRuntime{s: s})
	if err != nil {
		_ = l.Close() // not served
		return nil, fmt.Errorf("make the cri streaming server: %w", err)
	}
	return &streamServer{Server: srv, l: l, http: &http.Server{Handler: srv, ReadHeaderTimeout: time.Minute}}, nil
}

// StreamAddress is where the streaming server listens.
func (s *Server) StreamAddress() net.Addr { return s.streams.l.Addr() }

// serve answers streams until close.
func (st *streamServer) serve() error {
	if err := st.http.Serve(st.l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve cri streams: %w", err)
	}
	return nil
}

// close stops listening and closes the connections not yet streaming;
// streams under way end with the process.
func (st *streamServer) close() error {
	if err := st.http.Close(); err != nil {
		return fmt.Errorf("stop the cri streaming server: %w", err)
	}
	return nil
}

// Exec answers the URL where the command runs in a running container.
func (r *runtimeService) Exec(ctx context.Context, req *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	if len(req.GetCmd()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "exec: no command")
	}
	c, err := r.s.runningContainer(ctx, "exec", req.GetContainerId())
	if err != nil {
		return nil, err
	}
	return r.s.streams.GetExec(&runtimeapi.ExecRequest{ContainerId: c.ID, Cmd: req.GetCmd(),
		Tty: req.GetTty(), Stdin: req.GetStdin(), Stdout: req.GetStdout(), Stderr: req.GetStderr()})
}

// Attach answers the URL where a client attaches to a running
// container's own stdio.
func (r *runtimeService) Attach(ctx context.Context, req *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	c, err := r.s.runningContainer(ctx, "attach", req.GetContainerId())
	if err != nil {
		return nil, err
	}
	return r.s.streams.GetAttach(&runtimeapi.AttachRequest{ContainerId: c.ID,
		Tty: req.GetTty(), Stdin: req.GetStdin(), Stdout: req.GetStdout(), Stderr: req.GetStderr()})
}

// PortForward answers the URL where a client forwards ports of a ready
// pod; the ports come with each stream the client opens.
func (r *runtimeService) PortForward(ctx context.Context, req *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	sb, err := r.s.pods.find(req.GetPodSandboxId())
	if err != nil {
		return nil, grpcError(fmt.Errorf("port forward: %w", err))
	}
	if !sb.Ready {
		return nil, status.Errorf(codes.FailedPrecondition, "port forward to pod %s: the pod is not ready", sb.ID)
	}
	return r.s.streams.GetPortForward(&runtimeapi.PortForwardRequest{PodSandboxId: sb.ID, Port: req.GetPort()})
}

// runningContainer is the pod container ref names, which must be
// running for op.
func (s *Server) runningContainer(ctx context.Context, op, ref string) (*engine.Container, error) {
	c, err := s.criContainer(ctx, ref)
	if err != nil {
		return nil, grpcError(fmt.Errorf("%s: %w", op, err))
	}
	if containerState(c) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return nil, status.Errorf(codes.FailedPrecondition, "%s: container %s is not running", op, c.ID)
	}
	return c, nil
}

// streamRuntime runs the streaming server's sessions on the engine.
type streamRuntime struct{ s *Server }

// Exec runs cmd in the container as `berth exec` does, on a terminal of
// its own with tty. A non-zero exit is an ExitError the streaming server
// hands the client as the command's exit code, as is a command that
// could not start (126, as docker exec). On a terminal, the end of the
// client's input (its connection is gone: a terminal sends no EOF)
// hangs the terminal up, as closing a terminal window does.
func (rt streamRuntime) Exec(ctx context.Context, id string, cmd []string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize) error {
	done := make(chan struct{})
	defer close(done)
	sess, err := rt.s.eng.Exec(ctx, id, engine.ExecOptions{Cmd: cmd, Tty: tty, Resize: terminalSizes(resize, done), NoSignalProxy: true})
	if err != nil {
		return execError(id, err)
	}
	if tty && in != nil {
		in = hangupOnEOF{r: in, pid: sess.Pid}
	}
	code, err := sess.Run(in, out, errOut)
	if err != nil {
		return execError(id, err)
	}
	if code != 0 {
		return utilexec.CodeExitError{Err: fmt.Errorf("exec in %s: exit status %d", id, code), Code: code}
	}
	return nil
}

// execError is err as the streaming server reports it: an exec that
// could not start has its exit code.
func execError(id string, err error) error {
	if ee, ok := errors.AsType[*engine.ExitError](err); ok {
		return utilexec.CodeExitError{Err: err, Code: ee.Code}
	}
	return fmt.Errorf("exec in %s: %w", id, err)
}

// Attach connects the client to the container's own stdio through its
// shim, as `berth attach` does, until the container exits or the
// client's input ends. Every byte of input reaches the container (no
// detach keys). The end of the client's input closes the container's
// stdin only when it was created StdinOnce; otherwise it just ends the
// session, so that a client can attach again.
func (rt streamRuntime) Attach(ctx context.Context, id string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize) error {
	c, err := rt.s.eng.Inspect(ctx, id)
	if err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	done := make(chan struct{})
	defer close(done)
	opts := engine.AttachOptions{Stdout: out, Stderr: errOut, Resize: terminalSizes(resize, done),
		NoSignalProxy: true, NoDetachKeys: true}
	if in != nil {
		opts.Stdin = in
		if !c.Config.StdinOnce {
			opts.Stdin = detachOnEOF{in}
		}
	}
	if _, err := rt.s.eng.Attach(ctx, id, opts); err != nil {
		return fmt.Errorf("attach %s: %w", id, err)
	}
	return nil
}

// PortForward copies between stream and a connection to port on the
// pod's localhost, made inside the pod's network namespace.
func (rt streamRuntime) PortForward(ctx context.Context, podID string, port int32, stream io.ReadWriteCloser) error {
	sb, err := rt.s.pods.find(podID)
	if err != nil {
		return fmt.Errorf("port forward: %w", err)
	}
	if !sb.Ready {
		return fmt.Errorf("port forward to pod %s: the pod is not ready", sb.ID)
	}
	conn, err := dialPod(sb.nsPath("net"), port)
	if err != nil {
		return fmt.Errorf("port forward to pod %s: %w", sb.ID, err)
	}
	defer func() { _ = conn.Close() }() // both copies are over; nothing is left to send
	if err := forward(conn, stream, forwardLinger); err != nil {
		return fmt.Errorf("port forward to pod %s port %d: %w", sb.ID, port, err)
	}
	return nil
}

// forwardLinger is how long a forwarded connection may stay idle after
// the client finished sending before it is closed: the pod's server
// gets the end of input and time to answer, as containerd and CRI-O
// give it a second.
const forwardLinger = time.Second

// forward copies both ways between the pod's conn and the client's
// stream. The end of the client's data is passed on (a half close);
// the copy from the pod then goes on while it sends, and ends once it
// closes or has been idle for linger. It returns when the pod's side
// has ended.
func forward(conn *net.TCPConn, stream io.ReadWriteCloser, linger time.Duration) error {
	clientDone := make(chan struct{})
	fromClient := make(chan error, 1)
	go func() {
		_, err := io.Copy(conn, stream)
		err = errors.Join(err, conn.CloseWrite())
		// A read of the pod's side under way waits no longer than
		// linger either.
		err = errors.Join(err, conn.SetReadDeadline(time.Now().Add(linger)))
		close(clientDone)
		fromClient <- err
	}()
	_, err := io.Copy(stream, lingerReader{conn: conn, clientDone: clientDone, linger: linger})
	if errors.Is(err, errLingered) {
		err = nil
	}
	select {
	case cerr := <-fromClient:
		return errors.Join(err, cerr)
	default: // the client sends on while the pod is gone: it ends with the stream
		return err
	}
}

// errLingered ends the copy from a pod that stayed idle after the
// client finished.
var errLingered = errors.New("idle after the client finished")

// lingerReader reads the pod's side of a forward; once the client is
// done, each read waits at most linger.
type lingerReader struct {
	conn       *net.TCPConn
	clientDone <-chan struct{}
	linger     time.Duration
}

func (r lingerReader) Read(p []byte) (int, error) {
	select {
	case <-r.clientDone:
		if err := r.conn.SetReadDeadline(time.Now().Add(r.linger)); err != nil {
			return 0, err
		}
	default:
	}
	n, err := r.conn.Read(p)
	// Only the client's end sets a deadline (here, or in forward for a
	// read begun before it), so one passed is always the linger's.
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = errLingered
	}
	return n, err
}

// hangupOnEOF hangs an exec's terminal up at the end of the client's
// input: SIGHUP to the process, by its host PID (as killOnDone, which
// says when that PID could name another process).
type hangupOnEOF struct {
	r   io.Reader
	pid func() int
}

func (h hangupOnEOF) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if errors.Is(err, io.EOF) {
		if pid := h.pid(); pid > 0 {
			_ = unix.Kill(pid, unix.SIGHUP) // it may have ended meanwhile
		}
	}
	return n, err
}

// detachOnEOF ends an attach session at the end of the client's input
// instead of closing the container's stdin.
type detachOnEOF struct{ r io.Reader }

func (d detachOnEOF) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if errors.Is(err, io.EOF) {
		err = ptyexec.ErrDetached
	}
	return n, err
}

// terminalSizes passes the client's window sizes on as the engine's
// until in closes or done does; nil for a session without a terminal.
func terminalSizes(in <-chan remotecommand.TerminalSize, done <-chan struct{}) <-chan engine.TerminalSize {
	if in == nil {
		return nil
	}
	out := make(chan engine.TerminalSize)
	go func() {
		for {
			var size remotecommand.TerminalSize
			var ok bool
			select {
			case size, ok = <-in:
				if !ok {
					return
				}
			case <-done:
				return
			}
			select {
			case out <- engine.TerminalSize{Width: size.Width, Height: size.Height}:
			case <-done:
				return
			}
		}
	}()
	return out
}

package cri

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"

	"berth/engine"
	"berth/ptyexec"
)

// pipeStream is a client's stream as forward sees it: reads come from
// the client, writes go to it.
type pipeStream struct {
	io.Reader
	io.Writer
}

func (pipeStream) Close() error { return nil }

// podServer listens on the loopback address and runs serve on the one
// connection it accepts; the returned connection is forward's side.
func podServer(t *testing.T, serve func(net.Conn)) *net.TCPConn {
	t.Helper()
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	c, err := net.DialTCP("tcp4", nil, l.Addr().(*net.TCPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// runForward runs forward between conn and a client that sends send and
// then ends its data (with clientEnds); it returns what the client got
// and forward's error.
func runForward(t *testing.T, conn *net.TCPConn, send string, clientEnds bool) (string, error) {
	t.Helper()
	fromClient, toPod := io.Pipe()
	toClient, fromPod := io.Pipe()
	go func() {
		_, _ = io.WriteString(toPod, send) // the test's own pipe
		if clientEnds {
			_ = toPod.Close()
		}
	}()
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(toClient) // until forward is done
		got <- string(b)
	}()
	err := forward(conn, pipeStream{fromClient, fromPod}, 10*time.Millisecond)
	_ = fromPod.Close()
	_ = toPod.Close()
	return <-got, err
}

// The end of the client's data reaches the pod, whose answer reaches
// the client.
func TestForwardPassesTheClientsEnd(t *testing.T) {
	conn := podServer(t, func(c net.Conn) {
		b, _ := io.ReadAll(c) // until the client's end arrives
		fmt.Fprintf(c, "got %q", b)
	})
	got, err := runForward(t, conn, "ping", true)
	if err != nil || got != `got "ping"` {
		t.Errorf("forward = %v, the client got %q", err, got)
	}
}

// A pod that stays idle after the client ended is let go.
func TestForwardLetsAnIdlePodGo(t *testing.T) {
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	conn := podServer(t, func(c net.Conn) {
		_, _ = io.WriteString(c, "hello") // and nothing more, and no close
		<-hold
	})
	got, err := runForward(t, conn, "ping", true)
	if err != nil || got != "hello" {
		t.Errorf("forward = %v, the client got %q", err, got)
	}
}

// A pod that closes ends the forward though the client sends on.
func TestForwardEndsWithThePod(t *testing.T) {
	conn := podServer(t, func(c net.Conn) { _, _ = io.WriteString(c, "bye") })
	got, err := runForward(t, conn, "", false)
	if err != nil || got != "bye" {
		t.Errorf("forward = %v, the client got %q", err, got)
	}
}

// An exec that could not start hands the client its exit code, as the
// streaming server looks for it; other errors are no exit at all.
func TestExecError(t *testing.T) {
	err := execError("c1", &engine.ExitError{Code: 126, Err: errors.New("no-such: not found")})
	exit, ok := err.(utilexec.ExitError)
	if !ok || !exit.Exited() || exit.ExitStatus() != 126 || !strings.Contains(exit.Error(), "not found") {
		t.Errorf("execError of a start failure = %#v", err)
	}
	if _, ok := execError("c1", errors.New("boom")).(utilexec.ExitError); ok {
		t.Error("execError of another error is an exit")
	}
}

// The end of an attach's input detaches instead of closing the
// container's stdin.
func TestDetachOnEOF(t *testing.T) {
	b, err := io.ReadAll(io.MultiReader(detachOnEOF{strings.NewReader("input")}, strings.NewReader("never")))
	if !errors.Is(err, ptyexec.ErrDetached) || string(b) != "input" {
		t.Errorf("read %q, %v", b, err)
	}
}

// Window sizes pass on in order, and stop with the session.
func TestTerminalSizes(t *testing.T) {
	if terminalSizes(nil, nil) != nil {
		t.Error("sizes for a session without a terminal")
	}
	in := make(chan remotecommand.TerminalSize)
	done := make(chan struct{})
	out := terminalSizes(in, done)
	in <- remotecommand.TerminalSize{Width: 80, Height: 24}
	if got := <-out; got != (engine.TerminalSize{Width: 80, Height: 24}) {
		t.Errorf("size %v", got)
	}
	in <- remotecommand.TerminalSize{Width: 100, Height: 30} // not taken: the session ends
	close(done)
	close(in)
}

// The streaming server's URLs name the address it listens on, the
// loopback address for an unspecified one.
func TestStreamURLs(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:0", "0.0.0.0:0"} {
		st, err := (&Server{}).listenStreams(addr)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := st.GetPortForward(&runtimeapi.PortForwardRequest{PodSandboxId: "pod"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(pf.GetUrl())
		port := fmt.Sprint(st.l.Addr().(*net.TCPAddr).Port)
		if err != nil || u.Scheme != "http" || u.Host != "127.0.0.1:"+port || !strings.HasPrefix(u.Path, "/portforward/") {
			t.Errorf("listen on %q: URL %q", addr, pf.GetUrl())
		}
		if err := st.l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

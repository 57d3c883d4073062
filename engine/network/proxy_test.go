package network

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// echoTCP serves TCP on 127.0.0.1 with a fresh port, answering each
// connection with "echo:" and what it read until the client's half-close.
func echoTCP(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, _ := io.ReadAll(c)
				c.Write(append([]byte("echo:"), b...))
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// echoUDP answers each datagram on 127.0.0.1 with "echo:" and its content.
func echoUDP(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			c.WriteTo(append([]byte("echo:"), buf[:n]...), from)
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func startProxy(t *testing.T, target netip.Addr, ports ...PortMapping) *Proxy {
	t.Helper()
	p := NewProxy(target, ports)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func tcpRoundTrip(t *testing.T, addr, msg string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func udpRoundTrip(t *testing.T, addr, msg string) string {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 1024)
	for try := 0; try < 20; try++ { // the target may not listen yet
		c.Write([]byte(msg))
		c.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
		if n, err := c.Read(buf); err == nil {
			return string(buf[:n])
		}
	}
	t.Fatalf("no UDP answer from %s", addr)
	return ""
}

func TestProxyTCPAndUDP(t *testing.T) {
	t.Parallel()
	tcpPort, udpPort := echoTCP(t), echoUDP(t)
	p := startProxy(t, loopback,
		PortMapping{Proto: "tcp", HostIP: loopback, ContainerPort: tcpPort},
		PortMapping{Proto: "udp", HostIP: loopback, ContainerPort: udpPort})
	pub := p.Published()
	if len(pub) != 2 || pub[0].HostPort == 0 || pub[1].HostPort == 0 {
		t.Fatalf("published: %+v", pub)
	}
	tcpAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(pub[0].HostPort))
	udpAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(pub[1].HostPort))
	big := strings.Repeat("0123456789", 100000)
	if got := tcpRoundTrip(t, tcpAddr, big); got != "echo:"+big {
		t.Errorf("tcp: %d bytes back, want %d", len(got), len(big)+5)
	}
	for _, msg := range []string{"one", "two"} {
		if got := udpRoundTrip(t, udpAddr, msg); got != "echo:"+msg {
			t.Errorf("udp: %q", got)
		}
	}
	b := p.Bindings()
	if got := b[strconv.Itoa(tcpPort)+"/tcp"]; len(got) != 1 || got[0].HostIP != "127.0.0.1" || got[0].HostPort != strconv.Itoa(pub[0].HostPort) {
		t.Errorf("bindings: %+v", b)
	}
}

// freePort asks the kernel for a port free on 127.0.0.1 for proto.
func freePort(t *testing.T, proto string) int {
	t.Helper()
	if proto == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestProxyPortInUse(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	free := freePort(t, "udp")
	p := NewProxy(loopback, []PortMapping{
		{Proto: "udp", HostIP: loopback, HostPortLo: free, HostPortHi: free, ContainerPort: 53},
		{Proto: "tcp", HostIP: loopback, HostPortLo: busyPort, HostPortHi: busyPort, ContainerPort: 80},
	})
	err = p.Start()
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(busyPort)+"/tcp") {
		t.Fatalf("Start with a busy port: %v", err)
	}
	if len(p.Published()) != 1 {
		t.Errorf("published before the failure: %+v", p.Published())
	}
	// Nothing is left: the port bound before the failure is free again.
	c, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(free)))
	if err != nil {
		t.Fatalf("udp port %d still held after a failed start: %v", free, err)
	}
	c.Close()
	p.Close()
}

func TestProxyHostPortRange(t *testing.T) {
	t.Parallel()
	target := echoTCP(t)
	// Find two consecutive free ports and take the first.
	var busy net.Listener
	var lo int
	for try := 0; try < 50 && busy == nil; try++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lo = l.Addr().(*net.TCPAddr).Port
		if next, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(lo+1)); err == nil && lo < 65535 {
			next.Close()
			busy = l
		} else {
			l.Close()
		}
	}
	if busy == nil {
		t.Fatal("no two consecutive free ports")
	}
	defer busy.Close()
	p := startProxy(t, loopback, PortMapping{Proto: "tcp", HostIP: loopback, HostPortLo: lo, HostPortHi: lo + 1, ContainerPort: target})
	if got := p.Published()[0].HostPort; got != lo+1 {
		t.Fatalf("range %d-%d with %d taken: bound %d", lo, lo+1, lo, got)
	}
	if got := tcpRoundTrip(t, "127.0.0.1:"+strconv.Itoa(lo+1), "x"); got != "echo:x" {
		t.Errorf("through the range port: %q", got)
	}
	p2 := NewProxy(loopback, []PortMapping{{Proto: "tcp", HostIP: loopback, HostPortLo: lo, HostPortHi: lo + 1, ContainerPort: target}})
	if err := p2.Start(); !errors.Is(err, ErrNoFreePort) {
		t.Errorf("full range: %v", err)
	}
}

func TestProxyCloseEndsConnections(t *testing.T) {
	t.Parallel()
	// A backend that never answers: the connection stays open until Close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := make(chan net.Conn, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			held <- c
		}
	}()
	p := startProxy(t, loopback, PortMapping{Proto: "tcp", HostIP: loopback, ContainerPort: l.Addr().(*net.TCPAddr).Port})
	port := p.Published()[0].HostPort
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case b := <-held:
		defer b.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("proxy did not connect to the backend")
	}
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return with a connection open")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("client connection still open after Close")
	}
	// The port is free again (the client is still connected: its peer
	// socket lingers, and does not hold the port).
	eventually(t, "listen again on the published port", func() error {
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			out, _ := exec.Command("ss", "-tan").CombinedOutput()
			return fmt.Errorf("%w\n%s", err, out)
		}
		return l2.Close()
	})
}

func TestProxyRetarget(t *testing.T) {
	t.Parallel()
	// Two "containers" on one port: 127.0.0.1 and 127.0.0.2 (all of
	// 127/8 is loopback), each saying who it is.
	var port int
	for _, name := range []string{"127.0.0.1", "127.0.0.2"} {
		l, err := net.Listen("tcp", net.JoinHostPort(name, strconv.Itoa(port)))
		if err != nil {
			t.Skipf("listen on %s:%d: %v", name, port, err)
		}
		t.Cleanup(func() { l.Close() })
		port = l.Addr().(*net.TCPAddr).Port
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				io.Copy(io.Discard, c)
				c.Write([]byte(name))
				c.Close()
			}
		}()
	}
	p := startProxy(t, loopback, PortMapping{Proto: "tcp", HostIP: loopback, ContainerPort: port})
	addr := "127.0.0.1:" + strconv.Itoa(p.Published()[0].HostPort)
	if got := tcpRoundTrip(t, addr, ""); got != "127.0.0.1" {
		t.Errorf("before Retarget: %q", got)
	}
	p.Retarget(netip.MustParseAddr("127.0.0.2"))
	if got := tcpRoundTrip(t, addr, ""); got != "127.0.0.2" {
		t.Errorf("after Retarget: %q", got)
	}
}

package network

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Published ports are served by a userland proxy, as docker-proxy does: it
// listens on the host's side and forwards each TCP connection and each
// UDP flow to the container's address. It works for 127.0.0.1 (which
// kernel DNAT does not reach without route_localnet), needs no rules, and
// is meant to run inside the container's shim: when the shim dies its
// listening sockets die with it, so nothing is left to hold the port.
// TCP is copied with splice(2) (io.Copy between two *net.TCPConn).

// Timeouts of the proxy.
const (
	dialTimeout = 5 * time.Second
	udpIdle     = 90 * time.Second // a UDP flow without traffic for this long is forgotten, as docker-proxy
)

// Proxy forwards published ports to one container address.
type Proxy struct {
	ports []PortMapping

	mu        sync.Mutex
	target    netip.Addr
	closed    bool
	listeners []io.Closer
	conns     map[io.Closer]struct{} // accepted and dialled connections, closed by Close
	published []PublishedPort
	wg        sync.WaitGroup
}

// NewProxy returns a proxy for ports forwarding to target; Start makes it
// listen.
func NewProxy(target netip.Addr, ports []PortMapping) *Proxy {
	return &Proxy{target: target, ports: ports, conns: map[io.Closer]struct{}{}}
}

// Retarget sends new connections and UDP flows to ip from now on, keeping
// the host ports: a restarted container may come back with another
// address. Connections already forwarded stay as they are.
func (p *Proxy) Retarget(ip netip.Addr) {
	p.mu.Lock()
	p.target = ip
	p.mu.Unlock()
}

func (p *Proxy) targetOf(port int) netip.AddrPort {
	p.mu.Lock()
	defer p.mu.Unlock()
	return netip.AddrPortFrom(p.target, uint16(port))
}

// Start listens on every port and starts forwarding; call it once. When
// any port cannot be bound the error names it (and wraps ErrPortInUse
// when it is taken), and no port is left open.
func (p *Proxy) Start() error {
	for _, m := range p.ports {
		l, port, err := listen(m)
		if err != nil {
			_ = p.Close() // never fails
			return err
		}
		pub := PublishedPort{Proto: m.Proto, HostIP: m.HostIP, HostPort: port, ContainerPort: m.ContainerPort}
		p.mu.Lock()
		p.listeners = append(p.listeners, l)
		p.published = append(p.published, pub)
		p.wg.Add(1)
		p.mu.Unlock()
		switch l := l.(type) {
		case *net.TCPListener:
			go p.serveTCP(l, m.ContainerPort)
		case *net.UDPConn:
			go p.serveUDP(l, m.ContainerPort)
		}
	}
	return nil
}

// Published returns the ports listened on, with the host ports chosen.
func (p *Proxy) Published() []PublishedPort {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PublishedPort(nil), p.published...)
}

// Bindings returns the published ports in docker's NetworkSettings.Ports
// shape: "80/tcp" -> [{HostIp 0.0.0.0, HostPort 8080}].
func (p *Proxy) Bindings() map[string][]PortBinding {
	out := map[string][]PortBinding{}
	for _, pub := range p.Published() {
		out[pub.Key()] = append(out[pub.Key()], pub.Binding())
	}
	return out
}

// Close stops listening, closes every forwarded connection and waits for
// the proxy's goroutines. It may be called more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	// Closing a socket the proxy is done with cannot fail in a way that
	// leaves anything open.
	for _, l := range p.listeners {
		_ = l.Close()
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.listeners = nil
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

// listen binds one mapping, trying each port of a host range in turn.
func listen(m PortMapping) (io.Closer, int, error) {
	host := ""
	if m.HostIP.IsValid() {
		host = m.HostIP.String()
	}
	lo, hi := m.HostPortLo, m.HostPortHi
	var last error
	for port := lo; port <= hi; port++ {
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		var l io.Closer
		var err error
		if m.Proto == "udp" {
			l, err = net.ListenPacket("udp", addr)
		} else {
			l, err = net.Listen("tcp", addr)
		}
		if err == nil {
			return l, boundPort(l), nil
		}
		shown := net.JoinHostPort(hostIPString(m.HostIP), strconv.Itoa(port)) + "/" + m.Proto
		if errors.Is(err, syscall.EADDRINUSE) {
			last = fmt.Errorf("bind for %s failed: %w", shown, ErrPortInUse)
		} else {
			return nil, 0, fmt.Errorf("bind for %s failed: %w", shown, err)
		}
	}
	if lo != hi {
		return nil, 0, fmt.Errorf("bind for %s:%d-%d/%s failed: %w", hostIPString(m.HostIP), lo, hi, m.Proto, ErrNoFreePort)
	}
	return nil, 0, last
}

func boundPort(l io.Closer) int {
	switch l := l.(type) {
	case *net.TCPListener:
		return l.Addr().(*net.TCPAddr).Port
	case *net.UDPConn:
		return l.LocalAddr().(*net.UDPAddr).Port
	}
	return 0
}

// track registers a connection for Close; false means the proxy is
// closing and c was closed.
func (p *Proxy) track(c io.Closer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c io.Closer) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *Proxy) serveTCP(l *net.TCPListener, port int) {
	defer p.wg.Done()
	for {
		client, err := l.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and the like: let it pass
			continue
		}
		if !p.track(client) {
			return
		}
		p.wg.Add(1)
		go p.forwardTCP(client, p.targetOf(port).String())
	}
}

// forwardTCP copies both ways until both sides have finished sending,
// passing each half-close on.
func (p *Proxy) forwardTCP(client *net.TCPConn, target string) {
	defer p.wg.Done()
	defer p.untrack(client)
	c, err := net.DialTimeout("tcp", target, dialTimeout)
	if err != nil {
		return
	}
	backend := c.(*net.TCPConn)
	if !p.track(backend) {
		return
	}
	defer p.untrack(backend)
	done := make(chan struct{})
	// A copy ends when either side closes or resets: that is the end of
	// the connection, not an error the proxy can act on.
	go func() {
		_, _ = io.Copy(backend, client)
		_ = backend.CloseWrite()
		close(done)
	}()
	_, _ = io.Copy(client, backend)
	_ = client.CloseWrite()
	<-done
}

// serveUDP keeps one backend socket per client address, so that replies
// find their way back, as docker-proxy does.
func (p *Proxy) serveUDP(l *net.UDPConn, port int) {
	defer p.wg.Done()
	var mu sync.Mutex
	flows := map[netip.AddrPort]*net.UDPConn{}
	buf := make([]byte, 64<<10)
	for {
		n, from, err := l.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		mu.Lock()
		backend, ok := flows[from]
		mu.Unlock()
		if !ok {
			if backend, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(p.targetOf(port))); err != nil {
				continue
			}
			if !p.track(backend) {
				return
			}
			mu.Lock()
			flows[from] = backend
			mu.Unlock()
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.replyUDP(l, backend, from)
				mu.Lock()
				delete(flows, from)
				mu.Unlock()
				p.untrack(backend)
			}()
		}
		_, _ = backend.Write(buf[:n]) // a datagram that cannot be sent is lost, as UDP allows
	}
}

// replyUDP sends the container's replies of one flow back to its client
// until the flow is idle or the proxy closes.
func (p *Proxy) replyUDP(l *net.UDPConn, backend *net.UDPConn, client netip.AddrPort) {
	buf := make([]byte, 64<<10)
	for {
		_ = backend.SetReadDeadline(time.Now().Add(udpIdle)) // fails only once closed, and so does Read
		n, err := backend.Read(buf)
		if errors.Is(err, syscall.ECONNREFUSED) {
			continue // an ICMP port unreachable: the container may listen later
		}
		if err != nil {
			return // idle, or the proxy is closing
		}
		if _, err := l.WriteToUDPAddrPort(buf[:n], client); err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
	}
}

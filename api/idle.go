package api

import (
	"net"
	"sync"
	"time"
)

// IdleListener is a listener that reports, on Idle, that no connection has
// been open for the given time: podman's `system service --time`. The
// timer runs only while no connection is open, so a long stream (logs -f,
// events, attach) keeps the service up.
type IdleListener struct {
	net.Listener
	timeout time.Duration

	mu    sync.Mutex
	open  int
	timer *time.Timer
	idle  chan struct{}
	fired bool
}

// NewIdleListener wraps l; timeout 0 means never idle.
func NewIdleListener(l net.Listener, timeout time.Duration) *IdleListener {
	il := &IdleListener{Listener: l, timeout: timeout, idle: make(chan struct{})}
	if timeout > 0 {
		il.timer = time.AfterFunc(timeout, il.fire)
	}
	return il
}

// Idle is closed once the listener has had no connection for its timeout.
func (l *IdleListener) Idle() <-chan struct{} { return l.idle }

func (l *IdleListener) fire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open == 0 && !l.fired {
		l.fired = true
		close(l.idle)
	}
}

// Accept counts the connection as open until it is closed (or hijacked and
// then closed by its handler).
func (l *IdleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.timer == nil {
		return c, nil
	}
	l.mu.Lock()
	l.open++
	l.timer.Stop()
	l.mu.Unlock()
	return &countedConn{Conn: c, done: l.connClosed}, nil
}

func (l *IdleListener) connClosed() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.open == 0 && !l.fired {
		l.timer.Reset(l.timeout)
	}
}

// countedConn tells its listener once when it is closed.
type countedConn struct {
	net.Conn
	once sync.Once
	done func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.done)
	return err
}

// CloseWrite passes a half-close to the socket below.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

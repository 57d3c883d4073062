package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// ServeConn answers the requests of one connection (the far side of
// `berth system dial-stdio`) and returns when the client or a handler has
// closed it, or when ctx is done.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) error {
	l := &oneConnListener{conn: &closeNotifyConn{Conn: c, closed: make(chan struct{})}, stop: make(chan struct{})}
	go func() {
		select {
		case <-ctx.Done():
		case <-l.conn.closed:
		}
		l.Close()
	}()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	err := srv.Serve(l)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// oneConnListener hands out one connection, then waits until it is closed.
type oneConnListener struct {
	conn     *closeNotifyConn
	given    bool
	stop     chan struct{}
	stopOnce sync.Once
	mu       sync.Mutex
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	given := l.given
	l.given = true
	l.mu.Unlock()
	if !given {
		return l.conn, nil
	}
	<-l.stop
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.stopOnce.Do(func() { close(l.stop) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

// closeNotifyConn is a connection that says when it was closed, by the
// HTTP server or by a handler that hijacked it.
type closeNotifyConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *closeNotifyConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}

// CloseWrite half-closes the connection when the one below can (a unix
// or TCP socket), so an attach stream can end its input and still read.
func (c *closeNotifyConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

package cri

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"

	"berth/internal/osthread"
)

// dialPod connects to port on the pod's localhost (127.0.0.1, else ::1)
// from inside the network namespace pinned at netns ("" is the host's,
// for a pod on the host's network). The socket is made on a thread that
// joined the namespace and is thrown away after, so no thread of the
// server is ever left in a pod's namespace; a socket stays in the
// namespace it was made in.
func dialPod(netns string, port int32) (*net.TCPConn, error) {
	if netns == "" {
		return dialLoopback(port)
	}
	ns, err := os.Open(netns)
	if err != nil {
		return nil, fmt.Errorf("open the pod's network namespace: %w", err)
	}
	defer func() { _ = ns.Close() }() // read-only; joined or not, nothing is lost
	var conn *net.TCPConn
	err = osthread.Discarded(func() error {
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("join the pod's network namespace: %w", err)
		}
		var err error
		conn, err = dialLoopback(port)
		return err
	})
	return conn, err
}

// dialLoopback connects to port on 127.0.0.1, or on ::1 when that
// fails, in the calling thread's network namespace.
func dialLoopback(port int32) (*net.TCPConn, error) {
	c, err4 := net.DialTCP("tcp4", nil, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(port)})
	if err4 == nil {
		return c, nil
	}
	c, err6 := net.DialTCP("tcp6", nil, &net.TCPAddr{IP: net.IPv6loopback, Port: int(port)})
	if err6 == nil {
		return c, nil
	}
	return nil, fmt.Errorf("connect to localhost:%d: %w", port, errors.Join(err4, err6))
}

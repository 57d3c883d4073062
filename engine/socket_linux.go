package engine

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// A unix socket path may hold at most 107 bytes, and a run root plus a
// 64-hex ID can be longer. Both sides therefore reach the socket through a
// descriptor of its directory: /proc/self/fd/N/attach.sock is always short.

func listenUnix(path string) (net.Listener, error) {
	var l net.Listener
	err := viaDirFD(path, func(short string) (err error) {
		l, err = net.Listen("unix", short)
		return err
	})
	return l, err
}

func dialUnix(path string) (net.Conn, error) {
	var c net.Conn
	err := viaDirFD(path, func(short string) (err error) {
		c, err = net.Dial("unix", short)
		return err
	})
	return c, err
}

func viaDirFD(path string, fn func(short string) error) error {
	fd, err := unix.Open(filepath.Dir(path), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: filepath.Dir(path), Err: err}
	}
	defer func() { _ = unix.Close(fd) }()
	return fn(fmt.Sprintf("/proc/self/fd/%d/%s", fd, filepath.Base(path)))
}

package api

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
)

// firstActivationFD is SD_LISTEN_FDS_START: systemd passes the sockets it
// listens on from file descriptor 3 up.
const firstActivationFD = 3

// ActivationListener is the socket systemd listened on for this process
// (socket activation: LISTEN_PID is our PID and LISTEN_FDS is 1), or nil
// when the process was not started that way. getenv reads the
// environment; the variables are for this process only, so they are
// removed, as sd_listen_fds(unset_environment=1) does, before children
// (container shims) could inherit them.
func ActivationListener(getenv func(string) string, pid int) (net.Listener, error) {
	n, err := activationFDs(getenv, pid)
	if err != nil || n == 0 {
		return nil, err
	}
	for _, v := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		if err := os.Unsetenv(v); err != nil {
			return nil, fmt.Errorf("socket activation: unset %s: %w", v, err)
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("socket activation: systemd passed %d sockets, berth serves exactly one (one ListenStream= in berth.socket)", n)
	}
	syscall.CloseOnExec(firstActivationFD)
	f := os.NewFile(firstActivationFD, "systemd-socket")
	l, err := net.FileListener(f)
	_ = f.Close() // the listener holds its own descriptor
	if err != nil {
		return nil, fmt.Errorf("socket activation: fd %d is not a listening socket: %w", firstActivationFD, err)
	}
	return l, nil
}

// activationFDs is how many sockets systemd passed to process pid: 0 when
// LISTEN_PID is unset or names another process (the variables were
// inherited, not meant for us).
func activationFDs(getenv func(string) string, pid int) (int, error) {
	p := getenv("LISTEN_PID")
	if p == "" {
		return 0, nil
	}
	if p != strconv.Itoa(pid) {
		return 0, nil
	}
	n, err := strconv.Atoi(getenv("LISTEN_FDS"))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("socket activation: invalid LISTEN_FDS %q", getenv("LISTEN_FDS"))
	}
	return n, nil
}

package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"berth/internal/osthread"
)

// NetNS is a network namespace of the test's own, held by a sleeping
// process, with nothing in it but its loopback interface: a program run
// in it can reach 127.0.0.1 of the namespace and nothing else, so a test
// proves that what it runs never dials out. What the program makes in it
// (bridges, veths, nftables tables) goes with the namespace.
type NetNS struct {
	// Path is the namespace's file, /proc/<holder>/ns/net.
	Path string
}

// NewNetNS makes the namespace and brings its loopback up; the holder
// is killed, by its PID, when the test ends (the namespace lasts while a
// process of the test's still runs in it).
func NewNetNS(t testing.TB) *NetNS {
	t.Helper()
	RequireRoot(t)
	holder := exec.Command("sleep", "infinity")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if err := holder.Start(); err != nil {
		t.Fatalf("start the network namespace's holder: %v", err)
	}
	t.Cleanup(func() {
		_ = holder.Process.Kill() // Wait reaps it whatever Kill said
		_ = holder.Wait()
	})
	n := &NetNS{Path: fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid)}
	if out, err := n.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("bring up lo in %s: %v: %s", n.Path, err, out)
	}
	return n
}

// Command is name with args run in the namespace (through nsenter, which
// enters it and execs name: the command's PID is name's).
func (n *NetNS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"--net=" + n.Path, "--", name}, args...)...)
}

// Listen opens a listener inside the namespace (on its 127.0.0.1, say)
// that this process serves: it is made on a thread that enters the
// namespace and is thrown away after (osthread.Discarded); a socket
// stays in the namespace it was made in.
func (n *NetNS) Listen(network, addr string) (net.Listener, error) {
	f, err := os.Open(n.Path)
	if err != nil {
		return nil, fmt.Errorf("listen in %s: %w", n.Path, err)
	}
	defer func() { _ = f.Close() }() // read-only: only its descriptor was used
	var l net.Listener
	err = osthread.Discarded(func() error {
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("listen in %s: setns: %w", n.Path, err)
		}
		var err error
		if l, err = net.Listen(network, addr); err != nil {
			return fmt.Errorf("listen in %s: %w", n.Path, err)
		}
		return nil
	})
	return l, err
}

// Routes lists the namespace's routes in every table, as `ip -o route`
// prints them, for a test to check that nothing leads out of it.
func (n *NetNS) Routes(t testing.TB) []string {
	t.Helper()
	out, err := n.Command("ip", "-o", "route", "show", "table", "all").Output()
	if err != nil {
		t.Fatalf("ip route in %s: %v", n.Path, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

package network

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"testing"

	// The test binary is also a container's init, for the tests that run
	// real containers: the package takes that role over as it is
	// initialised.
	_ "berth/engine/containerinit"
)

// The test binary doubles as helpers, chosen by helperEnv: a UDP echo
// server, a TCP sender and a TCP server telling clients their address, to
// run inside fake containers, and a process that
// attaches containers to a store, to race other processes for addresses.
const helperEnv = "_BERTH_NETWORK_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "udp-echo":
		os.Exit(udpEchoMain())
	case "attach":
		os.Exit(attachMain())
	case "blast":
		os.Exit(blastMain())
	case "whoami":
		os.Exit(whoamiMain())
	}
	os.Exit(m.Run())
}

// udpEchoMain answers every datagram on :9000 with "echo:" and its content.
func udpEchoMain() int {
	c, err := net.ListenPacket("udp", ":9000")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	buf := make([]byte, 64<<10)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return 1
		}
		c.WriteTo(append([]byte("echo:"), buf[:n]...), from)
	}
}

// attachJob is what the attach helper reads on stdin.
type attachJob struct {
	Opts     Options
	Requests []AttachRequest
}

// attachMain attaches every request at once and prints the addresses as
// JSON.
func attachMain() int {
	var job attachJob
	if err := json.NewDecoder(os.Stdin).Decode(&job); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	m, err := Open(job.Opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ips, err := attachAll(m, job.Requests)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(ips)
	return 0
}

// attachAll attaches every request from its own goroutine.
func attachAll(m *Manager, reqs []AttachRequest) ([]string, error) {
	type result struct {
		ip  string
		err error
	}
	results := make(chan result, len(reqs))
	for _, r := range reqs {
		go func() {
			a, err := m.Attach(r)
			if err != nil {
				results <- result{err: err}
				return
			}
			results <- result{ip: a.IP.String()}
		}()
	}
	var ips []string
	var firstErr error
	for range reqs {
		r := <-results
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
		ips = append(ips, r.ip)
	}
	return ips, firstErr
}

// blastSize is what the TCP sender writes on each connection.
const blastSize = 64 << 20

// blastMain sends blastSize bytes to every connection on :8000, then
// closes it.
func blastMain() int {
	l, err := net.Listen("tcp", ":8000")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	chunk := make([]byte, 1<<20)
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		go func() {
			defer c.Close()
			for sent := 0; sent < blastSize; sent += len(chunk) {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}()
	}
}

// whoamiMain tells each connection on :8001 the address it came from.
func whoamiMain() int {
	l, err := net.Listen("tcp", ":8001")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		fmt.Fprintln(c, host)
		c.Close()
	}
}
